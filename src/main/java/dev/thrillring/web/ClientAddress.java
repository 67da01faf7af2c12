package dev.thrillring.web;

import io.javalin.http.Context;

import java.util.List;
import java.util.Set;

/**
 * The caller's address: the peer's, unless the peer is a configured trusted proxy, in which case
 * the last address in {@code X-Forwarded-For} that is not itself a trusted proxy. Anything a
 * client writes into the header before the first trusted hop is ignored, so it cannot choose
 * the address that fraud checks, rate limits and the audit log see.
 */
public final class ClientAddress {
    private ClientAddress() {}

    public static String of(Context ctx, Set<String> trustedProxies) {
        return resolve(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"), trustedProxies);
    }

    static String resolve(String peer, String forwarded, Set<String> trustedProxies) {
        if (!trustedProxies.contains(peer) || forwarded == null) return peer;
        List<String> hops = List.of(forwarded.split("\\s*,\\s*"));
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i).trim();
            if (!hop.isEmpty() && !trustedProxies.contains(hop)) return hop.length() > 45 ? peer : hop;
        }
        return peer;
    }
}
