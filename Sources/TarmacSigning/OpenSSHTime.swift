import Foundation

/// The absolute times of allowed_signers options, read as ssh-keygen reads them:
/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, in local time unless followed by `Z` or `UTC`.
enum OpenSSHTime {
    /// The instant the text names, or nil when it is not one of the accepted forms or not a real time.
    static func parse(_ text: String, localTimeZone: TimeZone) -> Date? {
        var digits = Substring(text)
        var timeZone = localTimeZone
        if digits.count > 1, digits.uppercased().hasSuffix("Z") {
            digits = digits.dropLast()
            timeZone = TimeZone(identifier: "UTC")!
        } else if digits.count > 3, digits.uppercased().hasSuffix("UTC") {
            digits = digits.dropLast(3)
            timeZone = TimeZone(identifier: "UTC")!
        }
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let numbers = stride(from: 0, to: digits.count, by: 2).map { offset -> Int in
            let start = digits.index(digits.startIndex, offsetBy: offset)
            return Int(digits[start..<digits.index(start, offsetBy: 2)])!
        }
        var parts = DateComponents()
        parts.year = numbers[0] * 100 + numbers[1]
        parts.month = numbers[2]
        parts.day = numbers[3]
        parts.hour = numbers.count > 4 ? numbers[4] : 0
        parts.minute = numbers.count > 5 ? numbers[5] : 0
        parts.second = numbers.count > 6 ? numbers[6] : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard parts.isValidDate(in: calendar), let date = calendar.date(from: parts),
            date.timeIntervalSince1970 > 0
        else { return nil }
        return date
    }

    /// A time as `2024-01-31 12:00:00 UTC`, the same on every machine.
    static func describe(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) UTC"
    }
}
