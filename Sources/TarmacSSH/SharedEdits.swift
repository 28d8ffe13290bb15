import Crypto
import Synchronization

/// Edits worked out once for every host that needs the same one. In a group deployment the
/// hosts mostly keep the same last text of a program and get the same new one: the edit of a
/// 900 KB Install program was found once per host, on the hosts' own threads, all at once.
///
/// Keyed by the two texts' SHA-256. The first host to ask works the edit out; the others
/// asking for the same pair meanwhile wait for it, then share it.
final class SharedEdits: Sendable {
    static let shared = SharedEdits()

    private struct Key: Hashable {
        var base: SHA256.Digest
        var target: SHA256.Digest
    }

    /// One pair's edit, worked out under its own lock (nil inside: not yet; `.some(nil)`: none).
    private final class Slot: Sendable {
        let edit = Mutex<ProgramEdit??>(nil)
    }

    /// How many pairs are remembered; beyond it the oldest go (a deployment has a handful).
    private let capacity: Int
    private let slots = Mutex<(byKey: [Key: Slot], order: [Key])>(([:], []))

    init(capacity: Int = 32) {
        self.capacity = capacity
    }

    /// The edit from `base` to `target`, as `compute` (`ProgramEdit(from:to:)`) gives it.
    func edit(
        from base: [UInt8], to target: [UInt8],
        compute: ([UInt8], [UInt8]) -> ProgramEdit? = { ProgramEdit(from: $0, to: $1) }
    ) -> ProgramEdit? {
        let key = Key(base: SHA256.hash(data: base), target: SHA256.hash(data: target))
        let slot = slots.withLock { slots in
            if let slot = slots.byKey[key] { return slot }
            let slot = Slot()
            slots.byKey[key] = slot
            slots.order.append(key)
            if slots.order.count > capacity { slots.byKey[slots.order.removeFirst()] = nil }
            return slot
        }
        return slot.edit.withLock { edit in
            if let known = edit { return known }
            let found = compute(base, target)
            edit = .some(found)
            return found
        }
    }
}
