#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import SegControl
import Synchronization

extension ControlServer {
    /// Accepts until the wake-up pipe is written, one thread per connection.
    func acceptLoop(listener: Int32, wake: Int32) {
        defer {
            close(listener)
            state.withLock { s in
                close(s.wakeRead)
                close(s.wakeWrite)
                s.acceptThreadDone = true
            }
        }
        while true {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&fds, 2, -1)
            if rc < 0 {
                if errno == EINTR { continue }
                logger.error("control socket poll failed", metadata: ["errno": "\(errno)"])
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let admitted = state.withLock { s in
                guard s.connections < options.maxConnections, !s.stopping else { return false }
                s.connections += 1
                return true
            }
            guard admitted else {
                let busy = ControlError(.unavailable, "segd is serving too many control connections; try again")
                try? UnixSocket.writeAll(fd, respond(.error(busy), close: true),
                                         deadline: .now + .milliseconds(100))
                close(fd)
                continue
            }
            let thread = Thread { [self] in
                serve(fd)
                close(fd)
                state.withLock { $0.connections -= 1 }
            }
            thread.name = "segd-control-conn"
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    /// Serves one connection: requests in order (pipelining allowed), until close, error, timeout or shutdown.
    func serve(_ fd: Int32) {
        let peer: PeerIdentity
        do { peer = try identify(fd) } catch {
            try? UnixSocket.writeAll(fd, respond(.error(error), close: true), deadline: writeDeadline())
            return
        }
        var parser = HTTPParser(kind: .request, limits: options.limits)
        var served = 0
        var requestDeadline: ContinuousClock.Instant?
        var sentContinue = false
        while !state.withLock({ $0.stopping }) {
            do {
                while let request = try parser.nextRequest() {
                    requestDeadline = nil
                    sentContinue = false
                    served += 1
                    let keepAlive = request.keepAlive && served < options.maxRequestsPerConnection
                        && !state.withLock({ $0.stopping })
                    let response = dispatch(request, peer: peer)
                    try UnixSocket.writeAll(fd, respond(response, close: !keepAlive), deadline: writeDeadline())
                    if !keepAlive { return }
                }
                if let head = parser.pendingHead, !sentContinue,
                   head.headers["Expect"]?.lowercased() == "100-continue" {
                    sentContinue = true
                    try UnixSocket.writeAll(fd, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8), deadline: writeDeadline())
                }
            } catch {
                // Malformed or oversized: answer once, then drop the connection (the stream cannot be resynced).
                try? UnixSocket.writeAll(fd, respond(.error(error), close: true), deadline: writeDeadline())
                logger.notice("control request rejected", metadata: ["code": "\(error.code)", "uid": "\(peer.uid)"])
                return
            }
            if parser.hasPartialMessage, requestDeadline == nil {
                requestDeadline = .now + options.requestTimeout
            }
            let deadline = requestDeadline ?? (.now + options.idleTimeout)
            let chunk: UnixSocket.ReadResult
            do { chunk = try UnixSocket.read(fd, deadline: deadline) } catch { return }
            switch chunk {
            case .data(let bytes):
                parser.append(bytes)
            case .endOfFile:
                return
            case .timedOut:
                if parser.hasPartialMessage {
                    let timeout = ControlError(.timeout, "the request did not arrive completely within "
                        + "\(options.requestTimeout); send it in one go")
                    try? UnixSocket.writeAll(fd, respond(.error(timeout), close: true), deadline: writeDeadline())
                }
                return
            }
        }
    }

    private func writeDeadline() -> ContinuousClock.Instant { .now + options.writeTimeout }

    /// The bytes of a response with the protocol headers.
    func respond(_ response: HTTPResponse, close: Bool) -> Data {
        var r = response
        r.headers.set(ControlProtocol.versionHeader, String(ControlProtocol.version))
        r.headers.set("Connection", close ? "close" : "keep-alive")
        return r.serialized()
    }

    /// Runs the async dispatcher from this connection thread and waits for its answer. The task prefers the
    /// control server's own executor, so answers do not wait for Swift's cooperative pool (a busy pool must not
    /// make the control socket unresponsive).
    private func dispatch(_ request: HTTPRequest, peer: PeerIdentity) -> HTTPResponse {
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let dispatcher = self.dispatcher
        Task(executorPreference: ControlExecutor.shared) {
            let response = await dispatcher.handle(request, peer: peer)
            box.value.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        return box.value.withLock { $0 } ?? .error(ControlError(.internal, "no answer"))
    }
}

private final class ResponseBox: Sendable {
    let value = Mutex<HTTPResponse?>(nil)
}

/// The control server's task executor: a concurrent dispatch queue, independent of the cooperative pool.
final class ControlExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ControlExecutor()
    private let queue = DispatchQueue(label: "segd.control", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
