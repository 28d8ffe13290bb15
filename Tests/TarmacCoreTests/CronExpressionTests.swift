import Foundation
import Testing

@testable import TarmacCore

/// The cron parser and evaluator behind a group's `window`: tables of expressions, minutes and
/// next openings.
@Suite struct CronExpressionTests {
    private func cron(_ text: String) throws -> CronExpression { try CronExpression.parse(text) }

    @Test(arguments: [
        ("* * * * *", "minutes", 60),
        ("*/15 * * * *", "minutes", 4),
        ("0,30 * * * *", "minutes", 2),
        ("5-10 * * * *", "minutes", 6),
        ("5-20/5 * * * *", "minutes", 4),
        ("50/3 * * * *", "minutes", 4),
        ("* 9-16 * * *", "hours", 8),
        ("* * 1,15 * *", "days", 2),
        ("* * * JAN-MAR,dec *", "months", 4),
        ("* * * * MON-FRI", "weekdays", 5),
        ("* * * * 0,7", "weekdays", 1),
        ("* * * * 5-7", "weekdays", 3),
        ("* * * * */2", "weekdays", 4),
    ])
    func fieldSizes(_ text: String, _ field: String, _ count: Int) throws {
        let c = try cron(text)
        let sets = [
            "minutes": c.minutes, "hours": c.hours, "days": c.daysOfMonth, "months": c.months, "weekdays": c.daysOfWeek,
        ]
        #expect(sets[field]?.count == count, "\(text) \(field): \(sets[field]?.sorted() ?? [])")
    }

    @Test func namesAndNumbersMeanTheSameDays() throws {
        #expect(try cron("* * * * MON-FRI").daysOfWeek == [1, 2, 3, 4, 5])
        #expect(try cron("* * * * sun").daysOfWeek == [0])
        #expect(try cron("* * * * 7").daysOfWeek == [0])
        #expect(try cron("* * * feb,Mar *").months == [2, 3])
    }

    @Test(arguments: [
        ("* * * *", "has 4 fields; a cron expression has five"),
        ("* * * * * *", "has 6 fields"),
        ("60 * * * *", "has minute 60, out of range; use 0 to 59"),
        ("* 24 * * *", "has hour 24, out of range; use 0 to 23"),
        ("* * 0 * *", "has day of month 0, out of range; use 1 to 31"),
        ("* * * 13 *", "has month 13, out of range; use 1 to 12"),
        ("* * * * 8", "has day of week 8, out of range; use 0 to 7"),
        ("* * * * MON-FUN", "has \"FUN\" in the day of week field; use a whole number from 0 to 7 or a name SUN–SAT"),
        ("* 17-9 * * *", "has the range \"17-9\" in hour, which runs backwards"),
        ("*/0 * * * *", "has the step \"0\" in minute \"*/0\""),
        ("1,,2 * * * *", "has an empty item in the minute field \"1,,2\""),
        ("1-2-3 * * * *", "has a bad range \"1-2-3\" in minute"),
        ("x * * * *", "has \"x\" in the minute field; use a whole number from 0 to 59"),
    ])
    func invalidExpressions(_ text: String, _ expected: String) {
        #expect {
            _ = try CronExpression.parse(text)
        } throws: { error in
            guard let problem = error as? CronExpression.Problem else { return false }
            return problem.message.hasPrefix(expected) || problem.message.contains(expected)
        }
    }

    private static let berlin = TimeZone(identifier: "Europe/Berlin")!
    private static let utc = TimeZone(identifier: "UTC")!

    private static func date(_ text: String, _ zone: TimeZone = utc) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let n = text.split(whereSeparator: { "- :".contains($0) }).map { Int($0)! }
        return calendar.date(from: DateComponents(year: n[0], month: n[1], day: n[2], hour: n[3], minute: n[4]))!
    }

    /// (cron, zone, now in UTC, open now?, next opening in UTC).
    @Test(arguments: [
        // Sunday 6 December 2026: the office window opens Monday 09:00 Berlin = 08:00 UTC.
        ("* 9-16 * * MON-FRI", "Europe/Berlin", "2026-12-06 17:25", false, "2026-12-07 08:00"),
        ("* 9-16 * * MON-FRI", "Europe/Berlin", "2026-12-07 08:00", true, "2026-12-07 08:00"),
        ("* 9-16 * * MON-FRI", "Europe/Berlin", "2026-12-07 15:59", true, "2026-12-07 15:59"),
        ("* 9-16 * * MON-FRI", "Europe/Berlin", "2026-12-07 16:00", false, "2026-12-08 08:00"),
        // Friday evening jumps the weekend.
        ("* 9-16 * * MON-FRI", "Europe/Berlin", "2026-12-11 16:00", false, "2026-12-14 08:00"),
        // Summer time: 09:00 Berlin is 07:00 UTC.
        ("* 9-16 * * MON-FRI", "Europe/Berlin", "2026-07-01 00:00", false, "2026-07-01 07:00"),
        ("30 2 * * *", "UTC", "2026-12-06 02:31", false, "2026-12-07 02:30"),
        ("*/20 * * * *", "UTC", "2026-12-06 10:41", false, "2026-12-06 11:00"),
        // Day of month OR day of week when both are restricted: the 1st, or a Monday.
        ("0 12 1 * MON", "UTC", "2026-12-02 00:00", false, "2026-12-07 12:00"),
        ("0 12 1 * MON", "UTC", "2026-12-28 13:00", false, "2027-01-01 12:00"),
        // Only the day of month restricted: every 13th, whatever the weekday.
        ("0 0 13 * *", "UTC", "2026-12-14 00:00", false, "2027-01-13 00:00"),
        // Only the 29th of February: the next leap year.
        ("0 0 29 2 *", "UTC", "2026-12-06 00:00", false, "2028-02-29 00:00"),
        // 02:30 does not exist in Berlin on 29 March 2026 (clocks jump 02:00 → 03:00).
        ("30 2 * * *", "Europe/Berlin", "2026-03-28 02:00", false, "2026-03-30 00:30"),
    ])
    func openingsAndNextOpening(_ text: String, _ zone: String, _ now: String, _ open: Bool, _ next: String) throws {
        let window = DeploymentWindow(cron: try cron(text), timeZone: TimeZone(identifier: zone)!)
        let at = Self.date(now)
        #expect(window.isOpen(at: at) == open)
        #expect(window.nextOpening(atOrAfter: at) == Self.date(next))
    }

    @Test func theMinuteHoldingTheTimeCountsAndSecondsAreDropped() throws {
        let window = DeploymentWindow(cron: try cron("5 * * * *"), timeZone: Self.utc)
        let inside = Self.date("2026-12-06 10:05").addingTimeInterval(42)
        #expect(window.isOpen(at: inside))
        #expect(window.nextOpening(atOrAfter: inside) == Self.date("2026-12-06 10:05"))
    }

    @Test func aWindowThatNeverOpensIsFoundBeforeSearching() throws {
        #expect(DeploymentWindow(cron: try cron("0 0 30 2 *"), timeZone: Self.utc).neverOpens)
        #expect(
            DeploymentWindow(cron: try cron("0 0 30 2 *"), timeZone: Self.utc).nextOpening(atOrAfter: Date()) == nil)
        #expect(!DeploymentWindow(cron: try cron("0 0 30 2 MON"), timeZone: Self.utc).neverOpens)
        #expect(!DeploymentWindow(cron: try cron("0 0 29 2 *"), timeZone: Self.utc).neverOpens)
    }

    @Test func describedInTheWindowsZoneAndInUTC() throws {
        let window = DeploymentWindow(cron: try cron("* 9-16 * * MON-FRI"), timeZone: Self.berlin)
        #expect(
            window.describe(Self.date("2026-12-07 08:00")) == "2026-12-07 09:00 Europe/Berlin (2026-12-07 08:00 UTC)")
        #expect(window.description == "\"* 9-16 * * MON-FRI\" Europe/Berlin")
    }
}
