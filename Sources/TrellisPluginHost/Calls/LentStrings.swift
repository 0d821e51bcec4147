import CTrellisPlugin

/// The copies of strings the host lends a plugin, NUL-terminated, valid until `reset` or the
/// owner's end: a call's (`context_get_string`, `node_attribute`, ...) and an adapter reply's
/// (the message accessors).
///
/// Each call slot keeps one from call to call: the copies go into a buffer the slot reuses, so
/// lending a string costs a copy, not a `malloc` and a `free` (and the call's first lend no
/// longer allocates a record to list them in). A string that does not fit in what is left of
/// the buffer gets an allocation of its own, freed at `reset`.
///
/// Used only under its owner's lock (the slot's, the reply's), hence no dynamic exclusivity
/// checks on its fields: they cost the no-op plugin node about 5 ns.
final class LentStrings {
    /// The reused buffer, allocated at the first lend; `capacity` bytes.
    @exclusivity(unchecked) private var buffer: UnsafeMutableRawPointer?
    /// Small, since every slot keeps one (a slot per call in flight: 10,000 sessions waiting on
    /// plugin nodes hold 10,000): enough for the ids, inputs and roles nodes usually read.
    private static let capacity = 256
    @exclusivity(unchecked) private var used = 0
    /// Copies that did not fit in `buffer`.
    @exclusivity(unchecked) private var separate: [UnsafeMutableRawPointer] = []

    /// A NUL-terminated copy of `text`, valid until `reset`.
    func copy(_ text: String) -> trellis_string {
        var text = text
        return text.withUTF8 { utf8 in
            let needed = utf8.count + 1
            let start: UnsafeMutableRawPointer
            if used + needed <= Self.capacity {
                if buffer == nil { buffer = .allocate(byteCount: Self.capacity, alignment: 1) }
                start = buffer! + used
                used += needed
            } else {
                start = .allocate(byteCount: needed, alignment: 1)
                separate.append(start)
            }
            if let base = utf8.baseAddress, utf8.count > 0 { start.copyMemory(from: base, byteCount: utf8.count) }
            start.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            return trellis_string(data: start.assumingMemoryBound(to: CChar.self), length: utf8.count)
        }
    }

    /// Ends every copy (the call ended): the buffer is kept for the slot's next call. On every
    /// call's way out, so the common case (nothing lent separately) is two stores and a test.
    @inline(__always)
    func reset() {
        used = 0
        if !separate.isEmpty { freeSeparate() }
    }

    private func freeSeparate() {
        for pointer in separate { pointer.deallocate() }
        separate.removeAll(keepingCapacity: true)
    }

    deinit {
        reset()
        buffer?.deallocate()
    }
}
