/// A standard five-field cron expression (`minute hour day-of-month month day-of-week`), parsed
/// into the set of values each field allows.
///
/// Each field is a comma-separated list of `*`, `N`, `A-B`, with an optional `/STEP` after `*`,
/// `A-B` or `N` (`N/STEP` runs from N to the field's end). Months take `JAN`–`DEC` and days of the
/// week `SUN`–`SAT` (case-insensitive); day of week 0 and 7 are both Sunday. When both day fields
/// are restricted (neither starts with `*`), a day matches when either does, as in Vixie cron.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    public var minutes: Set<Int>
    public var hours: Set<Int>
    public var daysOfMonth: Set<Int>
    public var months: Set<Int>
    /// 0 (Sunday) to 6 (Saturday).
    public var daysOfWeek: Set<Int>
    /// True when the field is written starting with `*` (it then does not take part in the OR rule).
    public var dayOfMonthIsStar: Bool
    public var dayOfWeekIsStar: Bool
    /// The expression as written.
    public var text: String

    public var description: String { text }

    /// Why an expression is not valid; `message` names the field and the offending part.
    public struct Problem: Error, Equatable, Sendable {
        public var message: String
    }

    /// The five fields, in order: their names and ranges.
    static let fields: [(name: String, range: ClosedRange<Int>, names: [String])] = [
        ("minute", 0...59, []),
        ("hour", 0...23, []),
        ("day of month", 1...31, []),
        ("month", 1...12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        ("day of week", 0...7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ]

    /// Parses `text`; every field must be valid.
    public static func parse(_ text: String) throws(Problem) -> CronExpression {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            throw Problem(
                message: "has \(parts.count) field\(parts.count == 1 ? "" : "s"); a cron expression has five: "
                    + "minute hour day-of-month month day-of-week, e.g. \"* 9-16 * * MON-FRI\"")
        }
        var sets: [Set<Int>] = []
        for (index, part) in parts.enumerated() {
            sets.append(try field(part, index))
        }
        let weekdays = Set(sets[4].map { $0 % 7 })
        return CronExpression(
            minutes: sets[0], hours: sets[1], daysOfMonth: sets[2], months: sets[3], daysOfWeek: weekdays,
            dayOfMonthIsStar: parts[2].hasPrefix("*"), dayOfWeekIsStar: parts[4].hasPrefix("*"),
            text: parts.joined(separator: " "))
    }

    /// True when the civil minute (in the window's zone) matches every field.
    public func matches(month: Int, day: Int, weekday: Int, hour: Int, minute: Int) -> Bool {
        months.contains(month) && matchesDay(day, weekday: weekday) && hours.contains(hour)
            && minutes.contains(minute)
    }

    /// The day rule: both day fields restricted → either matches; otherwise the restricted one (or any).
    public func matchesDay(_ day: Int, weekday: Int) -> Bool {
        switch (dayOfMonthIsStar, dayOfWeekIsStar) {
        case (false, false): daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
        default: daysOfMonth.contains(day) && daysOfWeek.contains(weekday)
        }
    }

    private static func field(_ text: String, _ index: Int) throws(Problem) -> Set<Int> {
        let spec = fields[index]
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else {
                throw Problem(message: "has an empty item in the \(spec.name) field \(Quote.text(text))")
            }
            values.formUnion(try self.item(String(item), spec))
        }
        return values
    }

    private static func item(
        _ item: String, _ spec: (name: String, range: ClosedRange<Int>, names: [String])
    ) throws(Problem) -> Set<Int> {
        let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else {
            throw Problem(message: "has more than one \"/\" in \(spec.name) \(Quote.text(item))")
        }
        var step = 1
        if pieces.count == 2 {
            guard let value = Int(pieces[1]), value >= 1, value <= spec.range.upperBound else {
                throw Problem(
                    message: "has the step \(Quote.text(String(pieces[1]))) in \(spec.name) \(Quote.text(item)); "
                        + "a step is a whole number from 1 to \(spec.range.upperBound)")
            }
            step = value
        }
        let base = String(pieces[0])
        let bounds: ClosedRange<Int>
        if base == "*" {
            bounds = spec.range.lowerBound...(spec.name == "day of week" ? 6 : spec.range.upperBound)
        } else {
            let ends = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard ends.count <= 2 else { throw Problem(message: "has a bad range \(Quote.text(base)) in \(spec.name)") }
            let low = try value(ends[0], spec)
            let high = ends.count == 2 ? try value(ends[1], spec) : (pieces.count == 2 ? spec.range.upperBound : low)
            guard low <= high else {
                throw Problem(
                    message: "has the range \(Quote.text(base)) in \(spec.name), which runs backwards; write the "
                        + "lower end first")
            }
            bounds = low...high
        }
        return Set(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
    }

    private static func value(_ text: String, _ spec: (name: String, range: ClosedRange<Int>, names: [String]))
        throws(Problem) -> Int
    {
        if let index = spec.names.firstIndex(of: text.uppercased()) {
            return spec.name == "month" ? index + 1 : index
        }
        guard let number = Int(text), text.allSatisfy(\.isASCII) else {
            var hint = "a whole number from \(spec.range.lowerBound) to \(spec.range.upperBound)"
            if let first = spec.names.first, let last = spec.names.last { hint += " or a name \(first)–\(last)" }
            throw Problem(message: "has \(Quote.text(text)) in the \(spec.name) field; use \(hint)")
        }
        guard spec.range.contains(number) else {
            throw Problem(
                message: "has \(spec.name) \(number), out of range; use \(spec.range.lowerBound) to "
                    + "\(spec.range.upperBound)")
        }
        return number
    }
}
