import Synchronization
import TrellisPluginKit

/// What the plugin does when the host starts and ends an activation: it counts them and says
/// so in the host's log. A plugin with threads or timers of its own would start them in
/// `started` and stop them in `retired`, which the host calls once per activation, after the
/// activation's last call has finished.
enum GreetingLifecycle {
    /// Activations so far; static data survives a retirement (the image is never unloaded).
    private static let activations = Atomic<Int>(0)

    /// `onLoad`: a new activation begins.
    static func started() {
        let number = activations.add(1, ordering: .relaxed).newValue
        TrellisPlugin.log(.info, "greeting: activation \(number) started")
    }

    /// `onShutdown`: the current activation has ended.
    static func retired() {
        TrellisPlugin.log(.info, "greeting: activation \(activations.load(ordering: .relaxed)) retired")
    }
}
