import Foundation
import Hummingbird
import HTTPTypes
import NIOConcurrencyHelpers

/// How a vendor words the answers the fault gate sends in its name; everything else about a
/// fault (when, how often, `Retry-After`) is the same for every vendor.
struct FaultAnswers: Sendable {
    /// The answer to an injected failure (`failNext`) with the given status.
    var injected: @Sendable (HTTPResponse.Status) -> Response
    /// The answer when the sustained rate limit is exceeded (the gate adds `Retry-After`).
    var rateLimited: @Sendable () -> Response
    /// The answer to a create whose response the plan loses (the write has happened).
    var lostResponse: @Sendable () -> Response
}

/// The fault plan in force and what it did: request counts by route and by status, injected
/// faults, the sliding-window rate limit, slow answers and lost create responses. Every vendor
/// sandbox runs its API calls through one gate; only the error bodies differ (`FaultAnswers`).
final class FaultGate: Sendable {
    private struct State {
        var plan = FaultPlan()
        var callTimes: [Date] = []
        var requestCounts: [String: Int] = [:]
        var statusCounts: [Int: Int] = [:]
        /// Unlike `plan.rateLimitedCount`, not reset when a test sets a new plan.
        var rateLimited = 0
        var injectedFaults = 0
    }

    private let state = NIOLockedValueBox(State())
    private let answers: FaultAnswers

    init(answers: FaultAnswers) {
        self.answers = answers
    }

    /// The plan in force.
    var plan: FaultPlan { state.withLockedValue { $0.plan } }

    /// Replaces the plan.
    func setPlan(_ plan: FaultPlan) {
        state.withLockedValue { $0.plan = plan }
    }

    /// Lays a partial plan over the one in force and returns the result.
    func mergePlan(_ patch: JSONValue) throws(FaultPlan.PatchError) -> FaultPlan {
        let merged = state.withLockedValue { state -> Result<FaultPlan, FaultPlan.PatchError> in
            do throws(FaultPlan.PatchError) {
                state.plan = try state.plan.merging(patch)
                return .success(state.plan)
            } catch {
                return .failure(error)
            }
        }
        return try merged.get()
    }

    /// Calls received per `METHOD path`.
    var requestCounts: [String: Int] { state.withLockedValue { $0.requestCounts } }

    /// Counts a call that bypasses `admit` (token endpoints).
    func count(_ request: Request) {
        state.withLockedValue { $0.requestCounts[Self.route(request), default: 0] += 1 }
    }

    /// Counts the call and applies the plan: an injected failure, a 429 past the sustained limit,
    /// or else the vendor's own credential check (`authorize`, which returns a refusal or nil).
    /// Slow answers wait in every case. Returns the response to send instead, or nil to proceed.
    func admit(_ request: Request, authorize: () -> Response?) async -> Response? {
        let now = Date()
        let (fault, slow): (Response?, Int) = state.withLockedValue { state in
            state.requestCounts[Self.route(request), default: 0] += 1
            // A plan set in code skips the decoder's range checks: the gate still never traps.
            let slow = min(state.plan.slowMilliseconds, FaultPlan.longestWaitMilliseconds)
            if state.plan.failNext > 0 {
                state.plan.failNext -= 1
                state.injectedFaults += 1
                let status = state.plan.failStatus
                var response = answers.injected(Self.status(status))
                if status == 429 { response.headers[.retryAfter] = "\(state.plan.retryAfterSeconds)" }
                return (response, slow)
            }
            if let path = state.plan.failWritesOn, request.method != .get, request.uri.path.contains(path) {
                state.injectedFaults += 1
                return (answers.injected(Self.status(state.plan.failWritesStatus)), slow)
            }
            if let limit = state.plan.rateLimitPerMinute {
                let window = Double(max(1, state.plan.rateLimitWindowSeconds))
                state.callTimes.removeAll { now.timeIntervalSince($0) >= window }
                if state.callTimes.count >= limit {
                    state.plan.rateLimitedCount += 1
                    state.rateLimited += 1
                    var response = answers.rateLimited()
                    // The wait until the oldest call in the window leaves it (a limit of 0 keeps none: the whole window).
                    let oldest = state.callTimes.first ?? now
                    response.headers[.retryAfter] = "\(max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up))))"
                    return (response, slow)
                }
                state.callTimes.append(now)
            }
            return (nil, slow)
        }
        let refusal = fault ?? authorize()
        if slow > 0 { try? await Task.sleep(for: .milliseconds(slow)) }
        return refusal
    }

    /// The response a create sends: its own, or the vendor's 502 when the plan loses it.
    func createResponse(_ response: Response) -> Response {
        takeLostCreate() ? answers.lostResponse() : response
    }

    /// True when the next create's response must be lost (the write still happens).
    func takeLostCreate() -> Bool {
        state.withLockedValue { state in
            guard state.plan.loseNextCreateResponses > 0 else { return false }
            state.plan.loseNextCreateResponses -= 1
            state.injectedFaults += 1
            return true
        }
    }

    /// Counts an answer by its status (the status-counting middleware calls this).
    func countStatus(_ code: Int) {
        state.withLockedValue { $0.statusCounts[code, default: 0] += 1 }
    }

    /// Counters for the admin API's `/_sandbox/stats`.
    var statistics: (requests: [String: Int], byStatus: [Int: Int], rateLimited: Int, injectedFaults: Int) {
        state.withLockedValue { ($0.requestCounts, $0.statusCounts, $0.rateLimited, $0.injectedFaults) }
    }

    /// A fault's status; outside 400...599 (HTTPTypes traps past 999) it is a 500.
    private static func status(_ code: Int) -> HTTPResponse.Status {
        HTTPResponse.Status(code: (400...599).contains(code) ? code : 500)
    }

    private static func route(_ request: Request) -> String {
        "\(request.method.rawValue) \(request.uri.path)"
    }
}

/// Counts every answer of the routes behind it by status, for `/_sandbox/stats`.
struct StatusCountingMiddleware<Context: RequestContext>: RouterMiddleware {
    let gate: FaultGate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            gate.countStatus(Int(response.status.code))
            return response
        } catch let error as any HTTPResponseError {
            gate.countStatus(Int(error.status.code))
            throw error
        } catch {
            gate.countStatus(500)
            throw error
        }
    }
}
