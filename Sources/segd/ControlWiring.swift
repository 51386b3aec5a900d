import SegDaemon
import ServiceLifecycle

/// Services started beside the scheduler: the control socket (wired once the control server lands).
enum ControlWiring {
    static let services: Daemon.ExtraServices = { _, _ in [] }
}
