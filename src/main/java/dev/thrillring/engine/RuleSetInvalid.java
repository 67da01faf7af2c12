package dev.thrillring.engine;

import java.util.List;

/** A rule set that does not compile, with every error located in its file. */
public final class RuleSetInvalid extends RuntimeException {

    /** One compile error: the resource, a line when known, and the compiler's message. */
    public record Error(String resource, int line, String message) {
        @Override public String toString() {
            return resource + (line > 0 ? ":" + line : "") + ": " + message;
        }
    }

    private final List<Error> errors;

    public RuleSetInvalid(String ruleSet, List<Error> errors) {
        super("rule set " + ruleSet + " does not compile: " + errors);
        this.errors = List.copyOf(errors);
    }

    public List<Error> errors() { return errors; }
}
