package dev.thrillring.engine;

import java.util.List;

/** Where a platform's base rules come from: the shipped files, and the version its admins activated. */
public interface BaseRules {
    List<RuleResource> load(String platform);
}
