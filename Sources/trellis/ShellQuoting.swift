import Foundation

/// Words of a command line a person can paste into a POSIX shell (the resume and picture
/// commands `trellis run` prints).
enum ShellQuoting {
    /// `word` unchanged when it holds only characters no shell treats specially, else in
    /// single quotes with each `'` written as `'\''`.
    static func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            (scalar.value < 128 && (scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar))))
                || "-_./=:,+@%".unicodeScalars.contains(scalar)
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
