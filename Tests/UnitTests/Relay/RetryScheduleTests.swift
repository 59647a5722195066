import Core
import Testing

@Suite struct RetryScheduleTests {
    @Test func defaultIsSvixSchedule() throws {
        let schedule = try RetrySchedule(Config(environment: [:]))
        #expect(schedule == .svix)
        #expect(schedule.attempts == 8)
        #expect(schedule.pauses.reduce(0, +) == 99_305_000)
    }

    @Test func parsesUnits() throws {
        let schedule = try RetrySchedule(Config(environment: [RetrySchedule.variable: "250ms, 5s,5m,2h,1d"]))
        #expect(schedule.pauses == [250, 5_000, 300_000, 7_200_000, 86_400_000])
    }

    @Test(arguments: ["5", "5x", "s", "-5s", "5s,,5m", "8d", "1.5s", "99999999999s"])
    func refusesMalformedSchedules(_ text: String) {
        #expect(throws: ConfigError.self) { try RetrySchedule(Config(environment: [RetrySchedule.variable: text])) }
    }

    @Test func pausesAreJitteredWithinATenthAndEndWithTheSchedule() {
        let schedule = RetrySchedule(pauses: [10_000, 60_000])
        for _ in 0..<200 {
            let first = schedule.pause(afterAttempt: 1) ?? -1
            #expect((9_000...11_000).contains(first))
        }
        #expect(schedule.pause(afterAttempt: 3) == nil)
        #expect(schedule.pause(afterAttempt: 0) == nil)
    }

    @Test func retryAfterIsHonouredUpToADay() {
        let schedule = RetrySchedule(pauses: [1_000])
        #expect(schedule.pause(afterAttempt: 1, retryAfter: 30_000) == 30_000)
        #expect(schedule.pause(afterAttempt: 1, retryAfter: 10 * 86_400_000) == 86_400_000)
    }
}
