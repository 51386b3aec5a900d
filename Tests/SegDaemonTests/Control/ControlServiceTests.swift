#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import SegControl
import SegDaemon
import ServiceLifecycle
import Testing

@Suite("Control server as a lifecycle service")
struct ControlServiceTests {
    @Test func servesUntilGracefulShutdownThenRemovesTheSocket() async throws {
        let folder = "/tmp/segdctl-" + UUID().uuidString.prefix(8)
        mkdir(folder, 0o755)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = SegdConfiguration()
        configuration.control.socket = folder + "/c.sock"
        configuration.control.group = "segd-group-that-does-not-exist"
        configuration.paths.state = folder
        var options = ControlServer.Options(configuration)
        options.socketActivation = false
        #expect(options.auditLogPath == folder + "/audit.log" && options.mode == 0o660)
        let logger = Logger(label: "test.control")
        let server = try ControlServer(options: options, backend: InMemoryBackend(),
                                       policy: .system(adminGroup: "segd-admin"), logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let client = ControlClient(socketPath: options.socketPath, timeout: 5)
            var status: StatusReport?
            for _ in 0..<500 where status == nil {
                status = try? client.status()
                if status == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(status?.version == SegdVersion.string)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(access(options.socketPath, F_OK) != 0)
    }
}
