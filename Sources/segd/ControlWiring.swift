import Logging
import SegControl
import SegDaemon
import ServiceLifecycle

/// Services started beside the scheduler: the control socket, bound before READY=1.
enum ControlWiring {
    static func services(configPath: String) -> Daemon.ExtraServices {
        { scheduler, config in
            let logger = Logger(label: "segd.control")
            let backend = DaemonBackend(scheduler: scheduler, configPath: configPath)
            do {
                let server = try ControlServer(configuration: config, backend: backend, logger: logger)
                // Bound now, so that READY=1 (sent once the group runs) means the socket answers.
                try server.start()
                return [server]
            } catch let error as ControlError {
                throw DaemonError(.startup, "cannot serve the control socket \(config.control.socket): \(error.message)")
            } catch {
                throw DaemonError(.startup, "cannot serve the control socket \(config.control.socket): \(error)")
            }
        }
    }
}
