/**
 * systemd calendar events (`OnCalendar=`, systemd.time(7)), parsed the way systemd's
 * `calendar_spec_from_string` does, so a schedule the etcd backup timer would refuse is a config
 * error here instead of a timer that never loads on the nodes.
 *
 * Grammar (systemd ≥ 252):
 *
 *     spec      = shorthand [" " zone] | [weekdays " "+] [date " "+] [time] [" " zone] | "@" seconds
 *     shorthand = minutely | hourly | daily | weekly | monthly | yearly | annually | quarterly
 *               | semiannually | semi-annually | biannually | bi-annually      (any case)
 *     weekdays  = day ("," day | ".." day | "-" day)* [","]   (Mon…Sun or Monday…Sunday, any case)
 *     date      = [chain "-"] chain ("-" | "~") chain         (year-month-day or month-day; "~": from the month's end)
 *     time      = chain ":" chain [":" seconds-chain]
 *     chain     = "*" | part ("," part)*
 *     part      = number [".." number] ["/" number]            (seconds: decimals to 6 places)
 *
 * Ranges: year 1970–2199 (two digits: 70–99 → 19xx, 00–69 → 20xx), month 1–12, day 1–31
 * (from the end: 1–28), hour 0–23, minute 0–59, second 0–59.999999. A repetition must fit its
 * range at least once. The zone is `UTC` (any case) or a tz database name.
 */

/** One element of a chain: `start[..stop][/repeat]` (stop -1: none; repeat 0: none). */
interface CalendarComponent {
    readonly start: number;
    readonly stop: number;
    readonly repeat: number;
}

export interface CalendarSpec {
    /** Bits 0 (Mon) to 6 (Sun); undefined: every day. */
    readonly weekdays?: number;
    /** undefined: `*`. */
    readonly year?: readonly CalendarComponent[];
    readonly month?: readonly CalendarComponent[];
    readonly day?: readonly CalendarComponent[];
    /** Days count from the end of the month (`~`). */
    readonly endOfMonth: boolean;
    readonly hour?: readonly CalendarComponent[];
    readonly minute?: readonly CalendarComponent[];
    /** Microseconds. */
    readonly second?: readonly CalendarComponent[];
    /** `UTC`, a tz database name, or undefined (the node's local time). */
    readonly timezone?: string;
    /** `@<seconds>`: one point in time. */
    readonly timestamp: boolean;
}

export type CalendarResult = { readonly ok: true; readonly spec: CalendarSpec } | { readonly ok: false; readonly reason: string };

const USEC = 1_000_000;
const INT_MAX = 2 ** 31 - 1;
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;
/** systemd's CALENDARSPEC_COMPONENTS_MAX: longest chain. */
const MAX_CHAIN = 240;

const DAYS: readonly [string, number][] = [
    ["monday", 0], ["mon", 0], ["tuesday", 1], ["tue", 1], ["wednesday", 2], ["wed", 2], ["thursday", 3], ["thu", 3],
    ["friday", 4], ["fri", 4], ["saturday", 5], ["sat", 5], ["sunday", 6], ["sun", 6],
];

const SHORTHANDS: Readonly<Record<string, Partial<Record<"weekdays" | "month" | "day" | "hour" | "minute" | "second", number[]>>>> = {
    minutely: { second: [0] },
    hourly: { minute: [0], second: [0] },
    daily: { hour: [0], minute: [0], second: [0] },
    monthly: { day: [1], hour: [0], minute: [0], second: [0] },
    annually: { month: [1], day: [1], hour: [0], minute: [0], second: [0] },
    yearly: { month: [1], day: [1], hour: [0], minute: [0], second: [0] },
    anually: { month: [1], day: [1], hour: [0], minute: [0], second: [0] },
    weekly: { weekdays: [1], hour: [0], minute: [0], second: [0] },
    quarterly: { month: [1, 4, 7, 10], day: [1], hour: [0], minute: [0], second: [0] },
    biannually: { month: [1, 7], day: [1], hour: [0], minute: [0], second: [0] },
    "bi-annually": { month: [1, 7], day: [1], hour: [0], minute: [0], second: [0] },
    semiannually: { month: [1, 7], day: [1], hour: [0], minute: [0], second: [0] },
    "semi-annually": { month: [1, 7], day: [1], hour: [0], minute: [0], second: [0] },
};

let zoneNames: Set<string> | undefined;

/**
 * A time zone systemd accepts: a file of the tz database (names are case-sensitive there). The
 * tz database names Node.js knows, `UTC` and the `Etc/` zones.
 */
function isTimezone(name: string): boolean {
    if (!/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
    zoneNames ??= new Set(Intl.supportedValuesOf("timeZone"));
    return zoneNames.has(name) || ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu"].includes(name) || /^Etc\/GMT[+-](1[0-4]|[1-9])$/.test(name);
}

class Fail extends Error {}
const fail = (reason: string): never => {
    throw new Fail(reason);
};

interface Cursor {
    readonly s: string;
    i: number;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** strtoul on a digit run: leading zeros allowed; anything above INT_MAX is out of range. */
function digits(c: Cursor): number {
    const from = c.i;
    while (isDigit(c.s[c.i])) c.i++;
    const text = c.s.slice(from, c.i).replace(/^0+(?=\d)/, "");
    return text.length > 12 ? Infinity : Number(text);
}

/** A decimal component; seconds (`usec`) may have a fraction, rounded to microseconds as systemd does. */
function decimal(c: Cursor, usec: boolean, what: string): number {
    if (!isDigit(c.s[c.i])) fail(`expected a number for the ${what} at ${show(c)}`);
    let value = digits(c);
    if (usec) {
        value *= USEC;
        if (c.s[c.i] === "." && c.s[c.i + 1] !== ".") {
            c.i++;
            if (!isDigit(c.s[c.i])) fail(`expected digits after the decimal point at ${show(c)}`);
            let frac = 0;
            let n = 0;
            for (; n < 6 && isDigit(c.s[c.i]); n++, c.i++) frac = frac * 10 + Number(c.s[c.i]);
            for (; n < 6; n++) frac *= 10;
            if (isDigit(c.s[c.i]) && c.s[c.i] >= "5") frac++;
            while (isDigit(c.s[c.i])) c.i++;
            value += frac;
        }
    }
    if (value > INT_MAX) fail(`${what} ${c.s.slice(0, c.i)} is out of range`);
    return value;
}

function show(c: Cursor): string {
    return c.i >= c.s.length ? "the end" : `"${c.s.slice(c.i)}"`;
}

/** `*` (undefined) or a chain of components. */
function chain(c: Cursor, usec: boolean, what: string): CalendarComponent[] | undefined {
    if (c.s[c.i] === "*") {
        c.i++;
        return usec ? [{ start: 0, stop: -1, repeat: USEC }] : undefined;
    }
    const out: CalendarComponent[] = [];
    for (;;) {
        if (out.length > MAX_CHAIN) fail(`the ${what} lists more than ${MAX_CHAIN} values`);
        const start = decimal(c, usec, what);
        let stop = -1;
        let repeat = 0;
        if (c.s[c.i] === "." && c.s[c.i + 1] === ".") {
            c.i += 2;
            stop = decimal(c, usec, what);
            repeat = usec ? USEC : 1;
        }
        if (c.s[c.i] === "/") {
            c.i++;
            repeat = decimal(c, usec, what);
            if (repeat === 0) fail(`a repetition of 0 (${what}) never advances`);
        } else if (usec && stop >= 0 && start + repeat > stop) {
            fail(`the ${what} range is shorter than a second`);
        }
        if (![undefined, " ", ",", "-", "~", ":"].includes(c.s[c.i])) fail(`unexpected ${show(c)} in the ${what}`);
        out.push({ start, stop, repeat });
        if (c.s[c.i] !== ",") return out;
        c.i++;
    }
}

function weekdays(c: Cursor): number | undefined {
    let bits = 0;
    let rangeFrom = -1;
    let first = true;
    for (;;) {
        const rest = c.s.slice(c.i).toLowerCase();
        const hit = DAYS.find(([name]) => rest.startsWith(name));
        if (!hit) {
            if (first) return undefined;
            return fail(`expected a weekday at ${show(c)}`);
        }
        const [name, nr] = hit;
        if (![undefined, "-", ".", ",", " "].includes(c.s[c.i + name.length])) fail(`unknown weekday "${c.s.slice(c.i).split(/[-., ]/)[0]}"`);
        bits |= 1 << nr;
        if (rangeFrom >= 0) {
            if (rangeFrom > nr) fail(`the weekday range ends before it starts`);
            for (let j = rangeFrom + 1; j < nr; j++) bits |= 1 << j;
        }
        c.i += name.length;
        const next = c.s[c.i];
        if (next === undefined) return bits;
        if (next === " ") {
            while (c.s[c.i] === " ") c.i++;
            return bits;
        }
        if (next === ".") {
            if (rangeFrom >= 0 || c.s[c.i + 1] !== ".") fail(`unexpected ${show(c)} after a weekday`);
            rangeFrom = nr;
            c.i += 2;
        } else if (next === "-") {
            if (rangeFrom >= 0) fail(`unexpected ${show(c)} after a weekday`);
            rangeFrom = nr;
            c.i += 1;
        } else if (next === ",") {
            rangeFrom = -1;
            c.i += 1;
        }
        if (c.s[c.i] === undefined || c.s[c.i] === " ") {
            while (c.s[c.i] === " ") c.i++;
            if (rangeFrom >= 0) fail("a weekday range is left open");
            return bits;
        }
        first = false;
    }
}

interface Parsed {
    weekdays?: number;
    year?: CalendarComponent[];
    month?: CalendarComponent[];
    day?: CalendarComponent[];
    endOfMonth: boolean;
    hour?: CalendarComponent[];
    minute?: CalendarComponent[];
    second?: CalendarComponent[];
    timestamp: boolean;
}

const one = (v: number): CalendarComponent[] => [{ start: v, stop: -1, repeat: 0 }];

/** Returns true when the date part was a `@timestamp` (no time follows). */
function date(c: Cursor, p: Parsed): boolean {
    if (c.i >= c.s.length) return false;
    if (c.s[c.i] === "@") {
        c.i++;
        if (!isDigit(c.s[c.i])) fail("expected seconds since 1970 after @");
        const t = digits(c);
        const d = new Date(t * 1000);
        if (!Number.isFinite(d.getTime())) fail(`@${t} is out of range`);
        Object.assign(p, {
            year: one(d.getUTCFullYear()), month: one(d.getUTCMonth() + 1), day: one(d.getUTCDate()),
            hour: one(d.getUTCHours()), minute: one(d.getUTCMinutes()), second: one(d.getUTCSeconds() * USEC), timestamp: true,
        });
        return true;
    }
    const start = c.i;
    const first = chain(c, false, "year or month");
    if (c.s[c.i] === undefined || c.s[c.i] === ":") {
        c.i = start; // a time, not a date
        return false;
    }
    if (c.s[c.i] === "~") p.endOfMonth = true;
    else if (c.s[c.i] !== "-") fail(`unexpected ${show(c)} in the date`);
    c.i++;
    const second = chain(c, false, "month or day");
    if (c.s[c.i] === undefined || c.s[c.i] === " ") {
        while (c.s[c.i] === " ") c.i++;
        p.month = first;
        p.day = second;
        return false;
    }
    if (p.endOfMonth) fail(`unexpected ${show(c)} after a day counted from the month's end`);
    if (c.s[c.i] === "~") p.endOfMonth = true;
    else if (c.s[c.i] !== "-") fail(`unexpected ${show(c)} in the date`);
    c.i++;
    const third = chain(c, false, "day");
    if (c.s[c.i] !== undefined && c.s[c.i] !== " ") fail(`unexpected ${show(c)} after the date`);
    while (c.s[c.i] === " ") c.i++;
    p.year = first;
    p.month = second;
    p.day = third;
    return false;
}

function time(c: Cursor, p: Parsed): void {
    if (c.i >= c.s.length) {
        p.hour = one(0);
        p.minute = one(0);
        p.second = one(0);
        return;
    }
    p.hour = chain(c, false, "hour");
    if (c.s[c.i] !== ":") fail(c.i >= c.s.length ? "a time needs hours and minutes, e.g. 02:00" : `unexpected ${show(c)} after the hour`);
    c.i++;
    p.minute = chain(c, false, "minute");
    if (c.i >= c.s.length) {
        p.second = one(0);
        return;
    }
    if (c.s[c.i] !== ":") fail(`unexpected ${show(c)} after the minute`);
    c.i++;
    p.second = chain(c, true, "second");
    if (c.i < c.s.length) fail(`unexpected ${show(c)} after the seconds`);
}

/** systemd's normalize_chain: trims ranges to whole repetitions and collapses one-value ranges. */
function normalize(list: CalendarComponent[] | undefined): CalendarComponent[] | undefined {
    if (!list) return undefined;
    const out = list.map((x) => {
        let { stop, repeat } = x;
        const { start } = x;
        if (stop > start && repeat > 0) stop -= (stop - start) % repeat;
        if ((stop > start && repeat > 0 && start + repeat > stop) || start === stop) {
            repeat = 0;
            stop = -1;
        }
        return { start, stop, repeat };
    });
    const key = (x: CalendarComponent) => `${x.start}/${x.stop}/${x.repeat}`;
    return [...new Map(out.map((x) => [key(x), x])).values()].sort((a, b) => a.start - b.start || a.stop - b.stop || a.repeat - b.repeat);
}

const fixYear = (v: number): number => (v >= 0 && v < 70 ? v + 2000 : v >= 70 && v < 100 ? v + 1900 : v);

function checkRange(list: readonly CalendarComponent[] | undefined, what: string, from: number, to: number, endOfMonth = false, scale = 1): void {
    if (!list) return;
    const top = endOfMonth ? to - 3 : to;
    const fmt = (v: number) => String(v / scale);
    const span = endOfMonth ? `${what} counted from the month's end` : what;
    for (const c of list) {
        if (c.start < from || c.start > top) fail(`${span} ${fmt(c.start)} is outside ${fmt(from)}–${fmt(top)}`);
        if (c.stop >= 0 && (c.stop < from || c.stop > top)) fail(`${span} ${fmt(c.stop)} is outside ${fmt(from)}–${fmt(top)}`);
        const repeatsPast = c.repeat > top - from || (c.stop >= 0 ? c.start + c.repeat > c.stop : endOfMonth ? c.start - c.repeat < from : c.start + c.repeat > top);
        if (repeatsPast) {
            fail(c.stop >= 0 && c.stop < c.start ? `the ${span} range ${fmt(c.start)}..${fmt(c.stop)} ends before it starts` : `repeating the ${span} every ${fmt(c.repeat)} from ${fmt(c.start)} never fits in ${fmt(from)}–${fmt(top)}`);
        }
    }
}

/** Parses an `OnCalendar=` value exactly as far as systemd accepts or refuses it. */
export function parseCalendar(text: string): CalendarResult {
    try {
        return { ok: true, spec: parse(text) };
    } catch (e) {
        if (e instanceof Fail) return { ok: false, reason: e.message };
        throw e;
    }
}

function parse(text: string): CalendarSpec {
    let body = text;
    let timezone: string | undefined;
    if (/ utc$/i.test(body)) {
        timezone = "UTC";
        body = body.slice(0, -4);
    } else {
        const space = body.lastIndexOf(" ");
        if (space >= 0 && isTimezone(body.slice(space + 1))) {
            timezone = body.slice(space + 1);
            body = body.slice(0, space);
        }
    }
    if (body === "") fail(timezone ? "nothing before the time zone" : "it is empty");
    const p: Parsed = { endOfMonth: false, timestamp: false };
    const short = SHORTHANDS[body.toLowerCase()];
    if (short) {
        if (short.weekdays) p.weekdays = 1;
        for (const k of ["month", "day", "hour", "minute", "second"] as const) {
            const v = short[k];
            if (v) p[k] = v.map((x) => ({ start: k === "second" ? x * USEC : x, stop: -1, repeat: 0 }));
        }
    } else {
        const c: Cursor = { s: body, i: 0 };
        p.weekdays = weekdays(c);
        if (!date(c, p)) time(c, p);
        if (c.i < c.s.length) fail(`unexpected ${show(c)}`);
    }
    if (p.weekdays !== undefined && (p.weekdays <= 0 || p.weekdays >= 127)) p.weekdays = undefined;
    if (p.endOfMonth && !p.day) p.endOfMonth = false;
    const year = p.year?.map((x) => ({ start: fixYear(x.start), stop: x.stop >= 0 ? fixYear(x.stop) : x.stop, repeat: x.repeat }));
    const spec: CalendarSpec = {
        ...(p.weekdays !== undefined ? { weekdays: p.weekdays } : {}),
        ...(year ? { year: normalize(year) } : {}),
        ...(p.month ? { month: normalize(p.month) } : {}),
        ...(p.day ? { day: normalize(p.day) } : {}),
        endOfMonth: p.endOfMonth,
        ...(p.hour ? { hour: normalize(p.hour) } : {}),
        ...(p.minute ? { minute: normalize(p.minute) } : {}),
        ...(p.second ? { second: normalize(p.second) } : {}),
        ...(timezone ? { timezone } : {}),
        timestamp: p.timestamp,
    };
    checkRange(spec.year, "year", MIN_YEAR, MAX_YEAR);
    checkRange(spec.month, "month", 1, 12);
    checkRange(spec.day, "day", 1, 31, spec.endOfMonth);
    checkRange(spec.hour, "hour", 0, 23);
    checkRange(spec.minute, "minute", 0, 59);
    checkRange(spec.second, "second", 0, 60 * USEC - 1, false, USEC);
    return spec;
}

/** Every value a chain matches inside `from`–`to` (small ranges only: months and days). */
function values(list: readonly CalendarComponent[] | undefined, from: number, to: number): number[] {
    if (!list) return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const out = new Set<number>();
    for (const c of list) {
        const end = c.stop >= 0 ? c.stop : c.repeat > 0 ? to : c.start;
        for (let v = c.start; v <= end && v <= to; v += c.repeat > 0 ? c.repeat : to + 1) out.add(v);
    }
    return [...out];
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why a valid calendar event is no schedule for backups, if it is none: it names a year or a
 * point in time (so it stops), or a day no month it names has (so it never elapses).
 */
export function notRepeating(spec: CalendarSpec): string | undefined {
    if (spec.timestamp) return "is one point in time";
    if (spec.year) return "names a year, so the backups would stop after it";
    if (!spec.endOfMonth) {
        const days = values(spec.day, 1, 31);
        if (!values(spec.month, 1, 12).some((m) => days.some((d) => d <= DAYS_IN_MONTH[m - 1]))) return "never elapses: no month it names has that day";
    }
    return undefined;
}

const CRON_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/**
 * The systemd form of a five-field crontab line, when it has one (every 6 hours, `0 *&#47;6 * * *`,
 * is `*-*-* 00/6:00:00`), to suggest in a message.
 */
export function fromCron(text: string): string | undefined {
    const f = text.trim().split(/\s+/);
    if (f.length !== 5) return undefined;
    const field = (v: string, min: number): string | undefined => {
        if (v === "*") return "*";
        const parts = v.split(",").map((p) => {
            const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(p);
            if (!m) return undefined;
            const start = m[1] === "*" ? String(min) : m[1];
            if (m[1] === "*" && m[2]) return undefined;
            return `${start.padStart(2, "0")}${m[2] ? `..${m[2].padStart(2, "0")}` : ""}${m[3] ? `/${m[3]}` : ""}`;
        });
        return parts.every((p) => p !== undefined) ? parts.join(",") : undefined;
    };
    const [minute, hour, dom, month, dow] = [field(f[0], 0), field(f[1], 0), field(f[2], 1), field(f[3], 1), f[4]];
    if (!minute || !hour || !dom || !month) return undefined;
    let days = "";
    if (dow !== "*") {
        const names = dow.split(",").map((p) => {
            const m = /^([0-7])(?:-([0-7]))?$/.exec(p);
            return m ? `${CRON_DAYS[Number(m[1])]}${m[2] ? `..${CRON_DAYS[Number(m[2])]}` : ""}` : undefined;
        });
        if (names.some((n) => n === undefined)) return undefined;
        days = `${names.join(",")} `;
    }
    const out = `${days}*-${month}-${dom} ${hour}:${minute}:00`;
    return parseCalendar(out).ok ? out : undefined;
}
