package dev.thrillring.showcases;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A showcase portfolio as stored (JSON columns as plain maps and lists). */
public record Portfolio(UUID portfolioId, UUID tenantId, String portfolioName, String platform, String description,
                        String visibility, String slug, String showcaseType, boolean includeTestimonials, String baseline,
                        List<Map<String, Object>> caseStudies, List<Map<String, Object>> testimonials,
                        Map<String, Object> socialProofData, Map<String, Object> customBranding, Map<String, Object> seoData,
                        String status, OffsetDateTime publishedAt, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public boolean published() { return publishedAt != null && "active".equals(status); }
}
