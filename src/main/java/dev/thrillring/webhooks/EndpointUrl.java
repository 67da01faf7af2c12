package dev.thrillring.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a webhook may go. {@code https} only, except plain {@code http} to loopback when the
 * operator allows it; never to a private, link-local, metadata or otherwise internal address.
 * Checked at registration and again before every attempt, because DNS can change in between.
 */
final class EndpointUrl {
    static final int MAX_LENGTH = 2000;

    private EndpointUrl() {}

    /** Why {@code url} may not be registered, or empty when it may (resolves the host). */
    static Optional<String> refusal(String url, boolean allowHttp) {
        if (url == null || url.isBlank()) return Optional.of("is required");
        if (url.length() > MAX_LENGTH) return Optional.of("may be at most " + MAX_LENGTH + " characters");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!scheme.equals("https") && !scheme.equals("http")) return Optional.of("must be an https URL");
        if (host == null || host.isBlank()) return Optional.of("must name a host");
        if (uri.getUserInfo() != null) return Optional.of("must not carry credentials");
        if (uri.getFragment() != null) return Optional.of("must not have a fragment");
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            return Optional.of("names a host that does not resolve");
        }
        boolean allLoopback = true;
        for (InetAddress a : addresses) {
            if (a.isLoopbackAddress()) continue;
            allLoopback = false;
            if (internal(a)) return Optional.of("resolves to a private, link-local or metadata address (" + a.getHostAddress() + ")");
        }
        if (allLoopback && !(allowHttp)) return Optional.of("resolves to a loopback address");
        if (scheme.equals("http") && !(allowHttp && allLoopback)) {
            return Optional.of("must be an https URL (plain http only to loopback with THRILLRING_WEBHOOK_ALLOW_HTTP=true)");
        }
        return Optional.empty();
    }

    /** Addresses a webhook must never reach: private, link-local (cloud metadata), unique-local, CGNAT, unspecified, multicast. */
    static boolean internal(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) return true;
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) return true;                                    // "this network"
            if (first == 100 && second >= 64 && second <= 127) return true;  // carrier-grade NAT
            if (first == 192 && second == 0 && (b[2] & 0xff) == 0) return true; // IETF protocol assignments
            if (first >= 240) return true;                                  // reserved, broadcast
            return false;
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) return true;                         // fc00::/7 unique local (incl. fd00:ec2::254)
            boolean mapped = true;                                           // ::ffff:a.b.c.d
            for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    InetAddress v4 = InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]});
                    return v4.isLoopbackAddress() || internal(v4);
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }
}
