package dev.thrillring.referrals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** E-mail addresses as fraud checks compare them: one person, one normal form. */
final class EmailAddresses {
    private static final Set<String> DISPOSABLE = load();

    private EmailAddresses() {}

    /**
     * Lower-cases, drops a {@code +tag}, and for Gmail also the dots of the local part, so
     * {@code Jo.Doe+ref@GMail.com} and {@code jodoe@gmail.com} are the same person.
     */
    static String normalise(String email) {
        String e = email.trim().toLowerCase(Locale.ROOT);
        int at = e.lastIndexOf('@');
        if (at <= 0) return e;
        String local = e.substring(0, at);
        String domain = e.substring(at + 1);
        int plus = local.indexOf('+');
        if (plus >= 0) local = local.substring(0, plus);
        if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
            local = local.replace(".", "");
            domain = "gmail.com";
        }
        return local + "@" + domain;
    }

    static boolean valid(String email) {
        return email.length() <= 320 && email.matches("[^@\\s]{1,64}@[A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,63}");
    }

    static boolean disposable(String normalised) {
        return DISPOSABLE.contains(normalised.substring(normalised.lastIndexOf('@') + 1));
    }

    private static Set<String> load() {
        Set<String> out = new HashSet<>();
        try (var in = EmailAddresses.class.getResourceAsStream("/data/disposable-email-domains.txt")) {
            if (in == null) return out;
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).map(l -> l.toLowerCase(Locale.ROOT)).forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
