import Foundation

/// Runs blocking C work (libarchive, file hashing) on a thread of its own, so it never
/// occupies one of the cooperative pool's few threads while a subprocess feeds it.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}
