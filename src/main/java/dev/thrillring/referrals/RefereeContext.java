package dev.thrillring.referrals;

import dev.thrillring.problems.Problem.Violation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What is known about the person behind a click, signup or conversion, and where each value came
 * from. A browser reaches the service itself only on the share link; everything else is posted by
 * the platform's backend, whose own address says nothing about the referee. Callers with the
 * ingest or an admin role may therefore assert the referee's address, user agent, device and
 * e-mail in the body; those values are kept with {@code source: caller} so a reviewer knows the
 * service did not see them itself. Without an asserted address, the connection's (or trusted
 * proxy's) address is used, as before.
 *
 * @param inputs each value with its source, stored with the event and shown with its signals
 */
record RefereeContext(String ip, String userAgent, String device, String email, Map<String, Object> inputs) {
    private static final Pattern IP = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern DEVICE = Pattern.compile("[\\x21-\\x7E]{1,128}");

    /** The values a server-to-server caller asserts, by body field name. */
    record Asserted(String ipField, String ip, String userAgentField, String userAgent, String deviceField, String device,
                    String emailField, String email) {}

    /**
     * Combines what the caller asserted with what the service saw (connection address, the
     * {@code X-Device-Fingerprint} header); violations name the body field.
     */
    static RefereeContext of(Asserted a, String seenIp, String seenDevice, List<Violation> errors) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        String ip = seenIp;
        if (a.ip() != null) {
            if (!IP.matcher(a.ip()).matches() || !(a.ip().contains(".") || a.ip().contains(":"))) {
                errors.add(new Violation(a.ipField(), "must be an IPv4 or IPv6 address"));
            }
            ip = a.ip();
            inputs.put("ip", source(ip, "caller"));
        } else if (ip != null) {
            inputs.put("ip", source(ip, "connection"));
        }
        String ua = null;
        if (a.userAgent() != null) {
            if (a.userAgent().isBlank() || a.userAgent().length() > 500) errors.add(new Violation(a.userAgentField(), "must be 1 to 500 characters"));
            ua = a.userAgent();
            inputs.put("user_agent", source(ua, "caller"));
        }
        String device = seenDevice;
        if (a.device() != null) {
            if (!DEVICE.matcher(a.device()).matches()) errors.add(new Violation(a.deviceField(), "must be 1 to 128 visible ASCII characters"));
            device = a.device();
            inputs.put("device_id", source(device, "caller"));
        } else if (device != null) {
            inputs.put("device_id", source(device, "header"));
        }
        String email = null;
        if (a.email() != null) {
            if (!EmailAddresses.valid(a.email())) errors.add(new Violation(a.emailField(), "must be an e-mail address"));
            else email = EmailAddresses.normalise(a.email());
            if (email != null) inputs.put("email", source(email, "caller"));
        }
        return new RefereeContext(ip, ua, device, email, inputs);
    }

    /** Fills what this context lacks from an earlier event of the same referee (its signup). */
    RefereeContext orElse(String ip2, String ua2, String device2, String email2, String from) {
        Map<String, Object> in = new LinkedHashMap<>(inputs);
        boolean askedIp = inputs.get("ip") instanceof Map<?, ?> m && "caller".equals(m.get("source"));
        String i = ip;
        if (!askedIp && ip2 != null) { i = ip2; in.put("ip", source(ip2, from)); }
        String u = userAgent == null && ua2 != null ? ua2 : userAgent;
        if (userAgent == null && ua2 != null) in.put("user_agent", source(ua2, from));
        String d = device == null && device2 != null ? device2 : device;
        if (device == null && device2 != null) in.put("device_id", source(device2, from));
        String e = email == null && email2 != null ? email2 : email;
        if (email == null && email2 != null) in.put("email", source(email2, from));
        return new RefereeContext(i, u, d, e, in);
    }

    private static Map<String, Object> source(String value, String source) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", value);
        m.put("source", source);
        return m;
    }
}
