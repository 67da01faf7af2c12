package dev.thrillring.badges;

import java.util.List;

/** What the badge template shows: an issuer, an achievement or a credential, with its JSON-LD. */
public record BadgePage(String title, String kind, String name, String description, String imageUrl, String canonical,
                        List<Fact> facts, Boolean verified, String verification, List<Link> links, String json) {

    public record Fact(String label, String value) {}

    public record Link(String label, String url) {}
}
