/**
 * systemd calendar events (config/calendar.ts): a table of events systemd accepts and refuses,
 * the cron translation offered in messages, and — where `systemd-analyze` exists (Debian) — a
 * differential property: for generated events, our parser accepts exactly what systemd does.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fc from "fast-check";
import { fromCron, notRepeating, parseCalendar } from "../../config/calendar";

const ACCEPTED = [
    "*:0/15", "hourly", "DAILY", "weekly", "semi-annually", "minutely UTC", "hourly Europe/Berlin", "Mon..Wed *-*-* 2:00",
    "mon,fri *-1/2-1,3 *:30:45", "*-*~03", "2003-03-05 05:40 Europe/Berlin", "05:40:23.4200004/3.1700005", "@1700000000",
    "Sat,Sun 12-05 08:05:40", "Mon-Wed", "Mon,", "Monday", "*:0/15 utc", "*:0/59", "*:29/30", "*-02-30", "99-01-01", "*:1..5/2",
    "*-*-* *:*:*", "*:*", "*-*-*", "10-15", "Mon 10-15", "Mon 12:00", "*:0,15,30,45", "*:0/15 Etc/UTC", "Mon  12:00", "*-*-*  12:00",
    "*:5..5", "*:1..3/3", "Mon..Mon", "12..15-01-01", "*-*-1..31/1", "00:00:00.5", "*:*:0/0.5", "MON", "*:00:05..06", "*:00:05..05/1",
];
const REFUSED = [
    "*/15 * * * *", "0 2 * * *", "*-*~1/2", "*-*-* 24:00", "*:60", "0/0:00", "*:0/60", "*:30/30", "1969-01-01", "2200-01-01",
    "*:00:60", "*:00:59.9999999", "Wed..Mon", "*:5..1", "*", "12", "12:", ":00", "1:2:3:4", "Mon *", "*:0,", "*:*/15",
    "*:0/15 europe/berlin", "Mon-", "Mon..", "Mon.Tue", "0:0:0.", "0:0:.5", "*:*:*/5", "hourly,daily", "*-*-* *:*:*  UTC",
    "*:00 00", "*:00:05..05", "*:00:00.5..01", "", " UTC", " *:0/15", "*:0/15 ", "*:0/15\nOnCalendar=hourly", "Mond 12:00",
];

describe("config: systemd calendar events", () => {
    for (const s of ACCEPTED) it(`accepts ${JSON.stringify(s)}`, () => assert.ok(parseCalendar(s).ok, JSON.stringify(parseCalendar(s))));
    for (const s of REFUSED) it(`refuses ${JSON.stringify(s)}`, () => assert.equal(parseCalendar(s).ok, false));

    it("names the part that is wrong", () => {
        assert.deepEqual(parseCalendar("Mon..Fri 24:00"), { ok: false, reason: "hour 24 is outside 0–23" });
        assert.deepEqual(parseCalendar("*:0/60"), { ok: false, reason: "repeating the minute every 60 from 0 never fits in 0–59" });
    });

    it("tells schedules that stop or never elapse", () => {
        const why = (s: string) => {
            const r = parseCalendar(s);
            assert.ok(r.ok);
            return notRepeating(r.spec);
        };
        assert.equal(why("*:0/15"), undefined);
        assert.equal(why("*-02-29 03:00"), undefined);
        assert.equal(why("*-*~01"), undefined);
        assert.equal(why("2025-06-01"), "names a year, so the backups would stop after it");
        assert.equal(why("@1700000000"), "is one point in time");
        assert.equal(why("*-04,06-31"), "never elapses: no month it names has that day");
    });

    it("translates five-field crontab lines it can", () => {
        assert.equal(fromCron("0 */6 * * *"), "*-*-* 00/6:00:00");
        assert.equal(fromCron("30 2 * * 1-5"), "Mon..Fri *-*-* 02:30:00");
        assert.equal(fromCron("*/15 * * * *"), "*-*-* *:00/15:00");
        assert.equal(fromCron("0 3 1 */2 *"), "*-01/2-01 03:00:00");
        assert.equal(fromCron("@daily"), undefined);
        assert.equal(fromCron("0 0 * * MON"), undefined);
    });

    const analyze = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
    const haveSystemd = analyze.status === 0;
    const runs = Number(process.env.HACLUSTER_CALENDAR_RUNS ?? 300);
    (haveSystemd ? it : it.skip)("accepts exactly what systemd-analyze accepts (generated events)", function () {
        this.timeout(Math.max(120_000, runs * 500));
        const num = fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constantFrom(99, 100, 1969, 1970, 2024, 2199, 2200), fc.integer({ min: 0, max: 3000 }));
        const part = (usec: boolean) =>
            fc
                .tuple(
                    num,
                    fc.option(num, { nil: undefined }),
                    fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
                    usec ? fc.option(fc.stringMatching(/^[0-9]{1,8}$/), { nil: undefined }) : fc.constant(undefined),
                )
                .map(([a, b, r, frac]) => `${a}${frac ? `.${frac}` : ""}${b !== undefined ? `..${b}` : ""}${r !== undefined ? `/${r}` : ""}`);
        const chain = (usec: boolean) => fc.oneof(fc.constant("*"), fc.array(part(usec), { minLength: 1, maxLength: 3 }).map((p) => p.join(",")));
        const day = fc.constantFrom("Mon", "tue", "Wednesday", "THU", "Fri", "sat", "Sunday", "Mond");
        const weekdays = fc.array(fc.tuple(day, fc.constantFrom(",", "..", "-")), { minLength: 1, maxLength: 3 }).map((ds) => ds.map(([d, sep], i) => (i === ds.length - 1 ? d : d + sep)).join(""));
        const date = fc.oneof(
            fc.tuple(chain(false), fc.constantFrom("-", "~"), chain(false)).map((x) => x.join("")),
            fc.tuple(chain(false), fc.constant("-"), chain(false), fc.constantFrom("-", "~"), chain(false)).map((x) => x.join("")),
        );
        const time = fc.oneof(
            fc.tuple(chain(false), chain(false)).map(([h, m]) => `${h}:${m}`),
            fc.tuple(chain(false), chain(false), chain(true)).map(([h, m, s]) => `${h}:${m}:${s}`),
        );
        const structured = fc
            .tuple(fc.option(weekdays, { nil: undefined }), fc.option(date, { nil: undefined }), fc.option(time, { nil: undefined }), fc.constantFrom("", "", " UTC", " utc", " Europe/Berlin", " Mars/Olympus"), fc.constantFrom(" ", "  "))
            .map(([w, d, t, tz, sp]) => [w, d, t].filter((x) => x !== undefined).join(sp) + tz);
        const shorthand = fc.constantFrom("hourly", "Daily", "WEEKLY", "bi-annually", "quarterly", "minutely", "yearly", "fortnightly");
        const mutated = fc.tuple(structured, fc.nat(), fc.constantFrom("", " ", ":", "-", ".", ",", "/", "~", "*", "0", "9")).map(([s, at, c]) => {
            const i = s.length === 0 ? 0 : at % s.length;
            return s.slice(0, i) + c + s.slice(i + 1);
        });
        const events = fc.oneof(structured, structured, shorthand, mutated).filter((s) => s.length > 0 && !s.startsWith("-"));
        fc.assert(
            fc.property(events, (s) => {
                const systemd = spawnSync("systemd-analyze", ["calendar", s], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }).status === 0;
                assert.equal(parseCalendar(s).ok, systemd, `${JSON.stringify(s)}: systemd ${systemd ? "accepts" : "refuses"} it, ours ${JSON.stringify(parseCalendar(s))}`);
            }),
            { numRuns: runs },
        );
    });
});
