package dev.thrillring.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a webhook may go. {@code https} only, except plain {@code http} to loopback when the
 * operator allows it; never to a private, link-local, metadata or otherwise internal address.
 * Checked at registration and again before every attempt, and the attempt connects to the very
 * addresses this check resolved and passed (never resolving the name a second time), so DNS
 * cannot answer differently between the check and the connection.
 */
final class EndpointUrl {
    static final int MAX_LENGTH = 2000;

    private EndpointUrl() {}

    /**
     * A URL that passed the check: where to connect ({@code addresses}, each checked), and the
     * host name kept for the Host header, TLS SNI and certificate verification.
     */
    record Target(URI uri, boolean https, String host, int port, String requestTarget, List<InetAddress> addresses) {
        /** The Host header's value: the host (bracketed when an IPv6 literal) and the port when not the scheme's default. */
        String hostHeader() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return port == (https ? 443 : 80) ? h : h + ":" + port;
        }
    }

    /**
     * What a caller is told when the host does not resolve or resolves somewhere refused: the same
     * words whatever the reason, so registration is no oracle for internal names and addresses.
     */
    static final String UNREACHABLE = "must be a public https URL whose host resolves only to public addresses";

    /**
     * The outcome of a check: a target, or why the URL is refused. {@code refusal} is the detail
     * (for the server's log); {@code told} what the caller may see: the detail when it is about the
     * URL's text alone, {@link #UNREACHABLE} when it came from resolving the host.
     */
    record Check(Optional<Target> target, Optional<String> refusal, Optional<String> told) {
        static Check refused(String why) { return new Check(Optional.empty(), Optional.of(why), Optional.of(why)); }
        static Check unreachable(String why) { return new Check(Optional.empty(), Optional.of(why), Optional.of(UNREACHABLE)); }
    }

    /** Why {@code url} may not be registered, or empty when it may (resolves the host). */
    static Optional<String> refusal(String url, boolean allowHttp) {
        return check(url, allowHttp).refusal();
    }

    /** Parses, resolves once and checks every address the host resolves to. */
    static Check check(String url, boolean allowHttp) {
        if (url == null || url.isBlank()) return Check.refused("is required");
        if (url.length() > MAX_LENGTH) return Check.refused("may be at most " + MAX_LENGTH + " characters");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Check.refused("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!scheme.equals("https") && !scheme.equals("http")) return Check.refused("must be an https URL");
        if (host == null || host.isBlank()) return Check.refused("must name a host");
        if (uri.getUserInfo() != null) return Check.refused("must not carry credentials");
        if (uri.getFragment() != null) return Check.refused("must not have a fragment");
        boolean https = scheme.equals("https");
        int port = uri.getPort() == -1 ? (https ? 443 : 80) : uri.getPort();
        if (port < 1 || port > 65535) return Check.refused("must have a port between 1 and 65535");
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException | SecurityException e) {
            return Check.unreachable("names a host that does not resolve");
        }
        if (addresses.length == 0) return Check.unreachable("names a host that does not resolve");
        Optional<String> refused = judge(addresses, https, allowHttp);
        if (refused.isPresent()) return Check.unreachable(refused.get());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String requestTarget = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        for (int i = 0; i < requestTarget.length(); i++) {
            char c = requestTarget.charAt(i);
            if (c <= 0x20 || c >= 0x7f) return Check.refused("must be percent-encoded (no spaces or control characters)");
        }
        return new Check(Optional.of(new Target(uri, https, bare, port, requestTarget, List.of(addresses))), Optional.empty(), Optional.empty());
    }

    /** Why a host resolving to {@code addresses} may not be sent to, or empty when it may. */
    static Optional<String> judge(InetAddress[] addresses, boolean https, boolean allowHttp) {
        int loopback = 0;
        for (InetAddress a : addresses) {
            if (a.isLoopbackAddress()) {
                loopback++;
                continue;
            }
            if (internal(a)) return Optional.of("resolves to a private, link-local or metadata address (" + a.getHostAddress() + ")");
        }
        // Loopback only when the operator allows it and the name resolves to nothing but loopback:
        // a name resolving to loopback and a public address is refused, whatever the order.
        if (loopback > 0 && loopback < addresses.length) return Optional.of("resolves to a loopback address as well as others");
        if (loopback > 0 && !allowHttp) return Optional.of("resolves to a loopback address");
        if (!https && loopback == 0) {
            return Optional.of("must be an https URL (plain http only to loopback with THRILLRING_WEBHOOK_ALLOW_HTTP=true)");
        }
        return Optional.empty();
    }

    /**
     * Addresses a webhook must never reach (loopback aside, which {@link #check} allows only for
     * local development): unspecified, "this network", private, carrier-grade NAT, link-local (cloud
     * metadata), benchmarking, documentation, reserved, broadcast and multicast IPv4; unique-local,
     * site-local, link-local, multicast, discard and documentation IPv6, and IPv6 forms that carry an
     * IPv4 address (mapped, compatible, NAT64, 6to4), judged by that address. Teredo is refused.
     */
    static boolean internal(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) return true;
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) return internal4(b);
        if (a instanceof Inet6Address) {
            int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
            int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            if ((b[0] & 0xfe) == 0xfc) return true;                         // fc00::/7 unique local (incl. fd00:ec2::254)
            if ((w0 & 0xffc0) == 0xfec0) return true;                       // fec0::/10 site-local (deprecated)
            if (w0 == 0x0100 && w1 == 0 && zero(b, 4, 8)) return true;      // 100::/64 discard
            if (w0 == 0x2001 && w1 == 0x0db8) return true;                  // 2001:db8::/32 documentation
            if (w0 == 0x2001 && w1 == 0x0000) return true;                  // 2001::/32 Teredo: tunnels to an IPv4 address
            if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) return embedded(b, 12); // ::ffff:a.b.c.d
            if (zero(b, 0, 12)) return true;                                // ::a.b.c.d (IPv4-compatible), ::, ::1 as mapped
            if (w0 == 0x0064 && w1 == 0xff9b) {                             // 64:ff9b::/96 NAT64 and 64:ff9b:1::/48 local NAT64
                return !zero(b, 4, 12) || embedded(b, 12);
            }
            if (w0 == 0x2002) return embedded(b, 2);                        // 2002::/16 6to4: a.b.c.d in bytes 2..5
        }
        return false;
    }

    private static boolean internal4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        int third = b[2] & 0xff;
        if (first == 0) return true;                                        // 0.0.0.0/8 "this network"
        if (first == 10) return true;                                       // 10/8
        if (first == 127) return true;                                      // loopback, when reached through an IPv6 form
        if (first == 100 && second >= 64 && second <= 127) return true;     // 100.64/10 carrier-grade NAT
        if (first == 169 && second == 254) return true;                     // link-local, cloud metadata
        if (first == 172 && second >= 16 && second <= 31) return true;      // 172.16/12
        if (first == 192 && second == 168) return true;                    // 192.168/16
        if (first == 192 && second == 0 && third == 0) return true;         // 192.0.0/24 IETF protocol assignments
        if (first == 192 && second == 0 && third == 2) return true;         // TEST-NET-1
        if (first == 198 && (second == 18 || second == 19)) return true;    // 198.18/15 benchmarking
        if (first == 198 && second == 51 && third == 100) return true;      // TEST-NET-2
        if (first == 203 && second == 0 && third == 113) return true;       // TEST-NET-3
        if (first >= 224) return true;                                      // multicast, reserved, 255.255.255.255 broadcast
        return false;
    }

    private static boolean embedded(byte[] b, int at) {
        return internal4(new byte[]{b[at], b[at + 1], b[at + 2], b[at + 3]});
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }
}
