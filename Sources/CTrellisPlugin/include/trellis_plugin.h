#ifndef TRELLIS_PLUGIN_H
#define TRELLIS_PLUGIN_H
#endif
