/// The text of a NUL-terminated registration string (descriptor and registration fields,
/// which the ABI spells as C strings rather than `trellis_string`); empty for NULL.
func registrationString(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}
