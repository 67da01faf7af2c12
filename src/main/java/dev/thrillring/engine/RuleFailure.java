package dev.thrillring.engine;

/** A rule threw or looped while evaluating a fact; nothing of that evaluation is kept. */
public final class RuleFailure extends RuntimeException {
    private final String rule;

    public RuleFailure(String rule, String message, Throwable cause) {
        super(message, cause);
        this.rule = rule;
    }

    /** The rule that failed, or an empty string when no single rule is to blame. */
    public String rule() { return rule; }
}
