package dev.thrillring.bench;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Labelled referral journeys as a platform would report them: who made a code (with the address,
 * device and e-mail the platform knows), then clicks, signups and conversions, each at its own
 * time. Seeded: the same seed gives the same journeys. The generator only decides what each
 * simulated person does; {@link FraudAccuracyBench} replays it over HTTP.
 *
 * <p>Legitimate: ordinary referees, fast converters, colleagues behind the referrer's office
 * address, families on the referrer's device at home, small first purchases, referees who typed
 * the code, and influencers whose audience converts in a burst. Fraud: disposable-address farms,
 * penny purchases, referral rings across codes, self-referral through e-mail aliases, velocity
 * bursts from rotating addresses, sock puppets on the referrer's machine.
 */
final class ReferralJourneys {
    static final String[] FIRST = {"anna", "ben", "carla", "david", "emma", "felix", "grace", "hugo", "iris", "jonas", "kate", "liam",
            "maria", "noah", "olga", "paul", "rosa", "sam", "tina", "victor", "wendy", "yusuf", "zoe", "omar", "lena", "marco"};
    static final String[] LAST = {"smith", "garcia", "mueller", "rossi", "dubois", "kowalski", "nakamura", "silva", "jensen", "oconnor",
            "novak", "haddad", "larsen", "moreau", "bianchi", "schmidt", "tanaka", "costa", "weber", "santos"};
    static final String[] FREEMAIL = {"gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com"};
    static final String[] DISPOSABLE = {"mailinator.com", "yopmail.com", "guerrillamail.com", "10minutemail.com", "trashmail.com"};
    static final String[] UA = {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)", "Mozilla/5.0 (Linux; Android 14; Pixel 8)"};

    /** A person who makes a referral code. */
    record Referrer(String user, String email, String ip, String device) {}

    /** One event of a journey, at its own time. */
    sealed interface Event permits Click, Signup, Conversion {
        Instant at();
    }

    /** A click on a referrer's link; {@code key} lets a later signup or conversion name it. */
    record Click(Instant at, Referrer referrer, String key, String ip, String device, String userAgent) implements Event {}

    record Signup(Instant at, Referrer referrer, String referee, String clickKey, String ip, String device, String email) implements Event {}

    /** A conversion with its label: the journey kind and whether it is fraud. */
    record Conversion(Instant at, Referrer referrer, String referee, String clickKey, String ip, String device, String userAgent,
                      String email, BigDecimal value, String kind, boolean fraud) implements Event {}

    final Random rnd;
    final Instant start;
    final Duration span;
    final List<Referrer> referrers = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    private int n;

    ReferralJourneys(long seed, Instant start, Duration span) {
        this.rnd = new Random(seed);
        this.start = start;
        this.span = span;
    }

    /** Generates {@code journeys} journeys: 80 % legitimate, 20 % fraud. */
    ReferralJourneys generate(int journeys) {
        for (int i = 0; i < journeys; i++) {
            Instant t = start.plusSeconds((long) (rnd.nextDouble() * span.toSeconds()));
            if (rnd.nextDouble() < 0.80) legit(t, rnd.nextDouble());
            else fraud(t, rnd.nextDouble());
        }
        return this;
    }

    void legit(Instant t, double p) {
        Referrer r = referrer();
        if (p < 0.56) ordinary(r, t, "legit: ordinary", minutes(30, 3 * 24 * 60), typical());
        else if (p < 0.64) ordinary(r, t, "legit: fast converter (1-4 min)", Duration.ofSeconds(60 + rnd.nextInt(180)), typical());
        else if (p < 0.72) ordinary(r, t, "legit: small first purchase", minutes(20, 2 * 24 * 60), money(3, 15));
        else if (p < 0.80) {
            String referee = "user-" + (++n);
            events.add(new Conversion(t, r, referee, null, ip(), "dev-" + referee, ua(), realEmail(), typical(), "legit: typed the code, no click", false));
        } else if (p < 0.92) {
            // Colleagues behind the referrer's office address, on their own machines, over a few days.
            int colleagues = 2 + rnd.nextInt(3);
            String company = LAST[rnd.nextInt(LAST.length)] + "-corp" + n + ".example";
            for (int i = 0; i < colleagues; i++) {
                String referee = "colleague-" + (++n);
                Instant click = t.plus(minutes(0, 4 * 24 * 60));
                String email = unique(() -> FIRST[rnd.nextInt(FIRST.length)] + "." + LAST[rnd.nextInt(LAST.length)] + "@" + company);
                journey(r, click, minutes(15, 2 * 24 * 60), referee, r.ip(), "dev-" + referee, email, typical(), "legit: colleagues behind one office address");
            }
        } else if (p < 0.95) {
            // A family on the referrer's tablet at home, each with their own address.
            int members = 1 + rnd.nextInt(2);
            String family = LAST[rnd.nextInt(LAST.length)];
            for (int i = 0; i < members; i++) {
                String referee = "family-" + (++n);
                String email = unique(() -> FIRST[rnd.nextInt(FIRST.length)] + "." + family + "@" + FREEMAIL[rnd.nextInt(FREEMAIL.length)]);
                journey(r, t.plus(minutes(0, 5 * 24 * 60)), minutes(10, 24 * 60), referee, r.ip(), r.device(), email, typical(),
                        "legit: family on the referrer's device at home");
            }
        } else {
            // An influencer's post: a genuine audience clicks within a few hours and converts over the following days.
            int audience = 10 + rnd.nextInt(21);
            for (int i = 0; i < audience; i++) {
                String referee = "fan-" + (++n);
                Instant click = t.plus(minutes(0, 180));
                Duration delay = rnd.nextDouble() < 0.2 ? Duration.ofSeconds(60 + rnd.nextInt(240)) : minutes(10, 2 * 24 * 60);
                journey(r, click, delay, referee, ip(), "dev-" + referee, realEmail(), typical(), "legit: influencer's audience (genuine burst)");
            }
        }
    }

    void fraud(Instant t, double p) {
        Referrer r = referrer();
        if (p < 0.18) {
            int fakes = 3 + rnd.nextInt(4);
            for (int i = 0; i < fakes; i++) {
                String referee = "farm-" + (++n);
                String email = generatedLocal() + "@" + DISPOSABLE[rnd.nextInt(DISPOSABLE.length)];
                journey(r, t.plus(minutes(0, 120)), Duration.ofSeconds(30 + rnd.nextInt(600)), referee, ip(), "dev-" + referee, email,
                        money(15, 40), "fraud: disposable-address farm");
            }
        } else if (p < 0.36) {
            String referee = "penny-" + (++n);
            journey(r, t, minutes(1, 120), referee, ip(), "dev-" + referee, realEmail(), money(0.01, 0.99), "fraud: penny purchase");
        } else if (p < 0.50) {
            // A ring across codes: each member makes a code and refers the next; the last refers the first.
            int size = 2 + rnd.nextInt(3);
            List<Referrer> ring = new ArrayList<>();
            ring.add(r);
            for (int i = 1; i < size; i++) ring.add(referrer());
            Instant at = t;
            for (int i = 0; i < size; i++) {
                Referrer from = ring.get(i);
                Referrer to = ring.get((i + 1) % size);
                at = at.plus(minutes(60, 24 * 60));
                journey(from, at, minutes(5, 6 * 60), to.user(), to.ip(), to.device(), to.email(), typical(), "fraud: referral ring across codes");
            }
        } else if (p < 0.68) {
            // The referrer signs up again under an alias of its own Gmail address, from another network and device.
            String referee = "alias-" + (++n);
            String local = r.email().substring(0, r.email().indexOf('@'));
            String alias = (rnd.nextBoolean() ? local.replace(".", "") : local.charAt(0) + "." + local.substring(1)) + "+" + "promo" + rnd.nextInt(99)
                    + "@" + (rnd.nextBoolean() ? "gmail.com" : "googlemail.com");
            journey(r, t, minutes(2, 24 * 60), referee, ip(), "dev-" + referee, alias, typical(), "fraud: self-referral through an e-mail alias");
        } else if (p < 0.88) {
            // A scripted burst: fake referees from rotating addresses within half an hour, each converting right after its click.
            int fakes = 6 + rnd.nextInt(10);
            for (int i = 0; i < fakes; i++) {
                String referee = "burst-" + (++n);
                String email = generatedLocal() + "@" + FREEMAIL[rnd.nextInt(FREEMAIL.length)];
                journey(r, t.plus(minutes(0, 30)), Duration.ofSeconds(20 + rnd.nextInt(160)), referee, ip(), "dev-" + referee, email,
                        money(10, 40), "fraud: velocity burst from rotating addresses");
            }
        } else {
            String referee = "sock-" + (++n);
            journey(r, t, Duration.ofSeconds(30 + rnd.nextInt(300)), referee, r.ip(), r.device(), generatedLocal() + "@gmail.com", money(10, 40),
                    "fraud: sock puppet on the referrer's machine");
        }
    }

    /** A click, sometimes a signup in between, then the conversion {@code delay} after the click. */
    void journey(Referrer r, Instant click, Duration delay, String referee, String ip, String device, String email, BigDecimal value, String kind) {
        String key = "click-" + (++n);
        String ua = ua();
        events.add(new Click(click, r, key, ip, device, ua));
        Instant converted = click.plus(delay);
        if (rnd.nextDouble() < 0.5) {
            Instant signedUp = click.plus(Duration.ofSeconds((long) (delay.toSeconds() * rnd.nextDouble())));
            events.add(new Signup(signedUp, r, referee, key, ip, device, email));
        }
        events.add(new Conversion(converted, r, referee, key, ip, device, ua, email, value, kind, kind.startsWith("fraud")));
    }

    void ordinary(Referrer r, Instant t, String kind, Duration delay, BigDecimal value) {
        String referee = "user-" + (++n);
        journey(r, t, delay, referee, ip(), "dev-" + referee, realEmail(), value, kind);
    }

    Referrer referrer() {
        String user = "ref-" + (++n);
        Referrer r = new Referrer(user, unique(() -> FIRST[rnd.nextInt(FIRST.length)] + "." + LAST[rnd.nextInt(LAST.length)] + n + "@gmail.com"), ip(), "dev-" + user);
        referrers.add(r);
        return r;
    }

    private final java.util.Set<String> taken = new java.util.HashSet<>();

    /** A person's address: name-like, and nobody else's (two people never share one). */
    String realEmail() {
        return unique(() -> FIRST[rnd.nextInt(FIRST.length)] + (rnd.nextBoolean() ? "." : "") + LAST[rnd.nextInt(LAST.length)]
                + (rnd.nextBoolean() ? "" : String.valueOf(rnd.nextInt(99))) + "@" + FREEMAIL[rnd.nextInt(FREEMAIL.length)]);
    }

    /** Draws addresses until one is free; a family too small for its names gets a digit, as people do. */
    String unique(java.util.function.Supplier<String> draw) {
        for (int attempt = 0; ; attempt++) {
            String email = draw.get();
            if (attempt > 20) email = email.replace("@", (attempt % 90 + 10) + "@");
            // Gmail ignores dots: anna.smith and annasmith are one mailbox, so one person.
            String mailbox = email.endsWith("@gmail.com") ? email.substring(0, email.indexOf('@')).replace(".", "") + "@gmail.com" : email;
            if (taken.add(mailbox)) return email;
        }
    }

    /** Local parts that address generators produce: letters and a long run of digits. */
    String generatedLocal() {
        return (char) ('a' + rnd.nextInt(26)) + "" + (char) ('a' + rnd.nextInt(26)) + (10_000 + rnd.nextInt(90_000));
    }

    /** Typical order values: 20 to 220, most around 60. */
    BigDecimal typical() {
        double v = Math.exp(Math.log(60) + rnd.nextGaussian() * 0.5);
        return money(Math.max(20, Math.min(220, v)), Math.max(20, Math.min(220, v)));
    }

    BigDecimal money(double from, double to) {
        return BigDecimal.valueOf(from + rnd.nextDouble() * (to - from)).setScale(2, RoundingMode.HALF_UP);
    }

    Duration minutes(int from, int to) { return Duration.ofSeconds(60L * from + (long) (rnd.nextDouble() * 60 * (to - from))); }

    String ip() { return (11 + rnd.nextInt(200)) + "." + rnd.nextInt(250) + "." + rnd.nextInt(250) + "." + (1 + rnd.nextInt(250)); }

    String ua() { return UA[rnd.nextInt(UA.length)]; }
}
