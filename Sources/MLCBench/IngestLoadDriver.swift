import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends a plan's requests over keep-alive HTTP/1.1 connections, one request in flight per
/// connection (as wrk does), everything on one event loop so no request waits on a thread
/// hand-off of the generator's own.
///
/// `@unchecked Sendable`: every mutable field is touched on `loop` only (each method asserts
/// or is called from a channel handler of a channel on `loop`).
final class LoadDriver: @unchecked Sendable {
    private let loop: any EventLoop
    private let requests: [LoadRequest]
    private let rate: Double?
    private let done: EventLoopPromise<Void>
    private var start = NIODeadline.now()
    private var ready: [Int] = []
    private var readyHead = 0
    private var scheduled = 0
    private var idle: [LoadConnection] = []
    private var sentAt: [NIODeadline]
    private var latencies: [Int64] = []
    private var ok = 0
    private var refused: [String: Int] = [:]
    private var finished = 0
    private var pacer: RepeatedTask?
    private var watchdog: RepeatedTask?
    private var finishedAtLastLook = 0
    private var quietSeconds = 0
    private var over = false

    /// Seconds without a single answer after which the run is void rather than waited on.
    static let stallSeconds = 30

    private init(loop: any EventLoop, requests: [LoadRequest], rate: Double?) {
        self.loop = loop
        self.requests = requests
        self.rate = rate
        self.done = loop.makePromise()
        self.sentAt = Array(repeating: .now(), count: requests.count)
        latencies.reserveCapacity(requests.count)
    }

    /// Connects, sends every request of `plan`, and reports.
    static func run(_ plan: LoadPlan) async throws -> LoadResult {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        var requests: [LoadRequest] = []
        for index in plan.first..<(plan.first + plan.count) {
            switch plan.kind {
            case .healthz:
                var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/healthz")
                head.headers.add(name: "Host", value: "127.0.0.1")
                // Framed explicitly: without it NIO's encoder would send the request chunked.
                head.headers.add(name: "Content-Length", value: "0")
                requests.append(LoadRequest(head: head, body: nil))
            case .deliveries:
                let request = SignedDelivery.request(index, plan.targets)
                requests.append(request)
                if plan.duplicateEvery > 0, (index - plan.first) % plan.duplicateEvery == plan.duplicateEvery - 1 { requests.append(request) }
            }
        }
        let driver = LoadDriver(loop: loop, requests: requests, rate: plan.rate)
        do {
            var channels: [any Channel] = []
            for _ in 0..<plan.connections {
                let connection = LoadConnection(driver: driver)
                channels.append(try await ClientBootstrap(group: loop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.pipeline.addHTTPClientHandlers().flatMap { channel.pipeline.addHandler(connection) }
                    }
                    .connect(host: "127.0.0.1", port: plan.port).get())
            }
            try await loop.submit { driver.begin() }.get()
            try await driver.done.futureResult.get()
            let result = try await loop.submit { driver.result() }.get()
            for channel in channels { try? await channel.close() }
            try await group.shutdownGracefully()
            return result
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// A connection is ready for its first request.
    func connected(_ connection: LoadConnection) {
        loop.preconditionInEventLoop()
        idle.append(connection)
        dispatch()
    }

    /// Starts the clock: everything is due now, or on the schedule.
    private func begin() {
        start = .now()
        watchdog = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [self] _ in
            quietSeconds = finished == finishedAtLastLook ? quietSeconds + 1 : 0
            finishedAtLastLook = finished
            if quietSeconds >= Self.stallSeconds { failed(LoadConnection.LoadError.stalled) }
        }
        if let rate {
            let tick = TimeAmount.microseconds(500)
            pacer = loop.scheduleRepeatedTask(initialDelay: .zero, delay: tick) { [self] _ in
                let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
                let due = min(requests.count, Int(elapsed * rate) + 1)
                while scheduled < due { ready.append(scheduled); scheduled += 1 }
                dispatch()
                if scheduled == requests.count { pacer?.cancel() }
            }
        } else {
            ready = Array(requests.indices)
            scheduled = requests.count
            dispatch()
        }
    }

    private func dueTime(_ index: Int) -> NIODeadline {
        guard let rate else { return sentAt[index] }
        return start + .nanoseconds(Int64(Double(index) / rate * 1e9))
    }

    private func dispatch() {
        while !idle.isEmpty, readyHead < ready.count, scheduled > 0 {
            let index = ready[readyHead]
            readyHead += 1
            // The longest idle first: every connection keeps carrying requests, so none sits
            // idle past the server's request-head timeout (which closes it, as it should).
            let connection = idle.removeFirst()
            sentAt[index] = .now()
            connection.send(requests[index], index: index)
        }
    }

    /// A response ended; the connection takes the next due request or waits.
    func answered(_ connection: LoadConnection, index: Int, status: HTTPResponseStatus) {
        let now = NIODeadline.now()
        latencies.append((now - dueTime(index)).nanoseconds)
        if status == .ok { ok += 1 } else { refused[String(status.code), default: 0] += 1 }
        finished += 1
        if finished == requests.count {
            over = true
            watchdog?.cancel()
            done.succeed()
            return
        }
        idle.append(connection)
        dispatch()
    }

    /// A connection failed: the run is void.
    func failed(_ error: any Error) {
        guard !over else { return }
        FileHandle.standardError.write(Data("load generator: \(error) after \(finished) of \(requests.count) answers, refused \(refused), unanswered from \(sentAt.count)\n".utf8))
        over = true
        pacer?.cancel()
        watchdog?.cancel()
        done.fail(error)
    }

    private func result() -> LoadResult {
        let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        let milliseconds = Percentiles(latencies.map { Double($0) / 1e6 })
        return LoadResult(sent: requests.count, ok: ok, refused: refused, seconds: elapsed, p50Ms: milliseconds.p50, p99Ms: milliseconds.p99, maxMs: milliseconds.max)
    }
}

/// One keep-alive connection of the generator: writes a request, reads its response, tells the driver.
final class LoadConnection: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    // `@unchecked Sendable`: used on its channel's event loop only, which is the driver's loop.
    private let driver: LoadDriver
    private var context: ChannelHandlerContext?
    private var current = -1
    private var status = HTTPResponseStatus.ok

    init(driver: LoadDriver) {
        self.driver = driver
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        driver.connected(self)
        context.fireChannelActive()
    }

    func send(_ request: LoadRequest, index: Int) {
        guard let context else { return }
        current = index
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = head.status
        case .body: break
        case .end: driver.answered(self, index: current, status: status)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        driver.failed(LoadError.closed)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        driver.failed(error)
        context.close(promise: nil)
    }

    enum LoadError: Error { case closed, stalled }
}
