#include "trellis_plugin.h"
