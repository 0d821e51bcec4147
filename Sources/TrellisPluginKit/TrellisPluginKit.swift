/// The Swift SDK for plugin authors: write a Swift type, get the C ABI.
public enum TrellisPluginKit {}
