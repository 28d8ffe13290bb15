import Foundation

/// A group's `window`: the minutes, in a time zone of the tz database, when deployments may start.
public struct DeploymentWindow: Sendable, Hashable, CustomStringConvertible {
    public var cron: CronExpression
    public var timeZone: TimeZone
    /// The zone as written (Foundation may name UTC "GMT").
    public var zoneName: String
    /// How far ahead `nextOpening(after:)` looks: a little over four years, so that a window on
    /// 29 February is still found.
    public static let searchDays = 4 * 366 + 1

    /// Creates a window.
    public init(cron: CronExpression, timeZone: TimeZone, zoneName: String? = nil) {
        self.cron = cron
        self.timeZone = timeZone
        self.zoneName = zoneName ?? timeZone.identifier
    }

    /// `"* 9-16 * * MON-FRI" Europe/Berlin`, as written in tarmac.yml.
    public var description: String { "\(Quote.text(cron.text)) \(zoneName)" }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// True when the minute holding `date` is inside the window.
    public func isOpen(at date: Date) -> Bool {
        let parts = calendar.dateComponents([.month, .day, .weekday, .hour, .minute], from: date)
        return cron.matches(
            month: parts.month!, day: parts.day!, weekday: parts.weekday! - 1, hour: parts.hour!, minute: parts.minute!)
    }

    /// The start of the first window minute at or after `date` (the minute holding `date` counts
    /// when it is open); nil when none falls within `searchDays`.
    public func nextOpening(atOrAfter date: Date) -> Date? {
        let calendar = self.calendar
        let start = calendar.dateInterval(of: .minute, for: date)?.start ?? date
        var candidate = start
        let limit = start.addingTimeInterval(Double(Self.searchDays) * 86_400)
        while candidate < limit {
            let parts = calendar.dateComponents([.month, .day, .weekday, .hour, .minute], from: candidate)
            let (hour, minute) = (parts.hour!, parts.minute!)
            if !cron.months.contains(parts.month!) || !cron.matchesDay(parts.day!, weekday: parts.weekday! - 1) {
                guard let next = calendar.date(byAdding: .day, value: 1, to: candidate) else { return nil }
                candidate = calendar.startOfDay(for: next)
            } else if !cron.hours.contains(hour) {
                candidate = candidate.addingTimeInterval(Double(60 - minute) * 60)
            } else if !cron.minutes.contains(minute) {
                candidate = candidate.addingTimeInterval(60)
            } else {
                return candidate
            }
        }
        return nil
    }

    /// True when no day of the year can match (e.g. `0 0 30 2 *`): such a window never opens.
    public var neverOpens: Bool {
        guard cron.dayOfWeekIsStar else { return false }
        let longest = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return !cron.months.contains { month in cron.daysOfMonth.contains { $0 <= longest[month] } }
    }

    /// `2026-12-07 09:00 Europe/Berlin (2026-12-07 08:00 UTC)`: a minute in the window's zone and in UTC.
    public func describe(_ date: Date) -> String {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let local = Self.civil(date, calendar)
        let inUTC = Self.civil(date, utc)
        return "\(local) \(zoneName) (\(inUTC) UTC)"
    }

    /// `YYYY-MM-DD HH:MM` in the calendar's zone.
    static func civil(_ date: Date, _ calendar: Calendar) -> String {
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "??" }
        return "\(p.year ?? 0)-\(two(p.month))-\(two(p.day)) \(two(p.hour)):\(two(p.minute))"
    }
}
