package dev.thrillring.engine;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The second, independent layer: walks the bytecode of every class Drools generated for a rule set
 * (consequences and their invokers) and refuses any reference to a class or member outside a
 * short list: the model, the outcome API, and the JDK and Drools runtime members that generated
 * code needs. It catches whatever a difference between our parser and the compiler lets through.
 * Constraints are compiled by MVEL at run time and produce no classes here; the parse-tree check
 * (which feeds MVEL its own canonical print of each constraint) covers them.
 */
final class BytecodeCheck {
    private BytecodeCheck() {}

    /** Whole classes whose every member generated code may use. */
    private static final Set<String> CLASSES = Set.of(
            "dev/thrillring/engine/model/Fact", "dev/thrillring/engine/model/Tracking",
            "java/lang/String", "java/lang/StringBuilder", "java/lang/Math", "java/lang/StrictMath",
            "java/lang/Double", "java/lang/Long", "java/lang/Integer", "java/lang/Boolean", "java/lang/Number",
            "java/lang/Short", "java/lang/Byte", "java/lang/Float", "java/lang/Character");

    /** Members of other classes generated code may use ({@code owner.name}); everything else is refused. */
    private static final Set<String> MEMBERS = Set.of(
            "java/lang/Object.<init>", "java/lang/Object.equals", "java/lang/Object.hashCode", "java/lang/Object.toString",
            "java/lang/Exception.<init>", "java/lang/RuntimeException.<init>", "java/lang/Throwable.<init>",
            "java/lang/invoke/StringConcatFactory.makeConcatWithConstants",
            // the outcome API, not the engine's hooks on it
            "dev/thrillring/engine/model/Outcomes.points", "dev/thrillring/engine/model/Outcomes.metric",
            "dev/thrillring/engine/model/Outcomes.metricMax", "dev/thrillring/engine/model/Outcomes.streak",
            "dev/thrillring/engine/model/Outcomes.countPeriods", "dev/thrillring/engine/model/Outcomes.advance",
            "dev/thrillring/engine/model/Outcomes.progress", "dev/thrillring/engine/model/Outcomes.unlock",
            "dev/thrillring/engine/model/Outcomes.score", "dev/thrillring/engine/model/Outcomes.reward",
            "dev/thrillring/engine/model/Outcomes.fraudSignal",
            "dev/thrillring/engine/model/SubjectState.metric", "dev/thrillring/engine/model/SubjectState.unlocked",
            "dev/thrillring/engine/model/SubjectState.changed", "dev/thrillring/engine/model/SubjectState.track",
            "dev/thrillring/engine/model/SubjectState.getReferralsConverted", "dev/thrillring/engine/model/SubjectState.getUserId",
            "dev/thrillring/engine/model/SubjectState.getTenantId",
            // what Drools' generated consequences and invokers call to reach their declarations
            "org/drools/core/rule/consequence/KnowledgeHelper.getTuple", "org/drools/core/rule/consequence/KnowledgeHelper.getRule",
            "org/drools/core/rule/consequence/KnowledgeHelper.getReteEvaluator", "org/drools/core/rule/consequence/KnowledgeHelper.getDeclaration",
            "org/drools/core/rule/consequence/KnowledgeHelper.getGlobal", "org/drools/core/rule/consequence/KnowledgeHelper.getMatch");

    /**
     * What Drools' invoker templates call (to compare and wire themselves); allowed only in the
     * generated {@code ...Invoker} classes, which hold no author code. Author code lands in the
     * rule class's own methods, which get the strict list.
     */
    private static final Set<String> INVOKER_TEMPLATE = Set.of(
            "java/lang/Object.getClass", "org/drools/mvel/asm/MethodComparator.getMethodBytecode",
            "org/drools/mvel/asm/MethodComparator.compareBytecode", "org/drools/mvel/asm/ConsequenceGenerator.generate",
            "org/drools/base/rule/consequence/Consequence.evaluate");

    /** Class-name prefixes of Drools runtime types generated code is wired with; it may use them only as the members above allow, or as types. */
    private static final List<String> RUNTIME_TYPES = List.of("org/drools/", "org/kie/api/", "java/lang/Object");

    /**
     * Every reference in {@code classes} (class file name to bytes) that is not allowed; empty when
     * the compiled rule set may be used. Each entry names the class and the member.
     */
    static List<String> violations(Map<String, byte[]> classes) {
        Set<String> generated = new TreeSet<>();
        for (String file : classes.keySet()) generated.add(file.endsWith(".class") ? file.substring(0, file.length() - 6) : file);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            if (!e.getKey().endsWith(".class")) continue;
            new ClassReader(e.getValue()).accept(new Walker(generated, out), ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        }
        return out;
    }

    /** Every {@code owner.member} the classes reference, for building and reviewing the list above. */
    static Set<String> references(Map<String, byte[]> classes) {
        Set<String> all = new TreeSet<>();
        Walker w = new Walker(Set.of(), new ArrayList<>()) {
            @Override void member(String owner, String name) { all.add(owner + "." + name); }
            @Override void type(String internalName) { all.add(internalName); }
        };
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            if (e.getKey().endsWith(".class")) new ClassReader(e.getValue()).accept(w, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        }
        return all;
    }

    private static class Walker extends ClassVisitor {
        private final Set<String> generated;
        private final List<String> out;
        private String current = "";

        Walker(Set<String> generated, List<String> out) {
            super(Opcodes.ASM9);
            this.generated = generated;
            this.out = out;
        }

        private boolean invoker;

        @Override public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            current = name;
            invoker = name.endsWith("Invoker");
            if (superName != null) type(superName);
            if (interfaces != null) for (String i : interfaces) type(i);
        }

        @Override public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            if (access == (Opcodes.ACC_STATIC) && name.equals("<clinit>")) {
                // Generated rule classes have no static initialiser; one can only come from uploaded code.
                out.add(current.replace('/', '.') + ": a static initialiser is not allowed in compiled rules");
            }
            return new MethodVisitor(Opcodes.ASM9) {
                @Override public void visitMethodInsn(int op, String owner, String n, String d, boolean itf) { member(owner, n); }
                @Override public void visitFieldInsn(int op, String owner, String n, String d) { member(owner, n); }
                @Override public void visitTypeInsn(int op, String t) { type(t); }
                @Override public void visitMultiANewArrayInsn(String d, int dims) { type(Type.getType(d).getElementType().getInternalName()); }
                @Override public void visitLdcInsn(Object value) {
                    if (value instanceof Type t) reference(t.getSort() == Type.OBJECT ? t.getInternalName() : t.getDescriptor(), "class literal");
                    else if (value instanceof Handle || value instanceof ConstantDynamic) reference(String.valueOf(value), "method handle");
                }
                @Override public void visitInvokeDynamicInsn(String n, String d, Handle bootstrap, Object... args) {
                    member(bootstrap.getOwner(), bootstrap.getName());
                }
            };
        }

        void member(String owner, String name) {
            String o = arrayElement(owner);
            if (o == null || generated.contains(o) || CLASSES.contains(o) || MEMBERS.contains(o + "." + name)) return;
            if (invoker && INVOKER_TEMPLATE.contains(o + "." + name)) return;
            if (runtimeType(o) && isAccessorOfRuntime(o, name)) return;
            reference(o + "." + name, "member");
        }

        void type(String internalName) {
            String t = arrayElement(internalName);
            if (t == null || generated.contains(t) || CLASSES.contains(t) || runtimeType(t)
                    || t.startsWith("dev/thrillring/engine/model/")) return;
            reference(t, "class");
        }

        private void reference(String what, String kind) {
            out.add(current.replace('/', '.') + ": " + kind + " " + what.replace('/', '.') + " is not allowed in compiled rules");
        }
    }

    /** Drools passes consequences their tuple, declarations and evaluator; reading those is how generated code binds {@code $x}. */
    private static boolean isAccessorOfRuntime(String owner, String name) {
        return (owner.startsWith("org/drools/") && (name.startsWith("get") || name.startsWith("is") || name.equals("<init>")
                || name.equals("evaluate") || name.equals("getValue")))
                && !name.equals("getKieRuntime") && !name.equals("getKnowledgeRuntime") && !name.equals("getWorkingMemory")
                && !name.equals("getKieBase") && !name.equals("getClassLoader") && !name.equals("getRootClassLoader");
    }

    private static boolean runtimeType(String t) {
        for (String p : RUNTIME_TYPES) if (t.startsWith(p)) return true;
        return false;
    }

    private static String arrayElement(String internalName) {
        if (internalName == null) return null;
        if (!internalName.startsWith("[")) return internalName;
        Type t = Type.getType(internalName).getElementType();
        return t.getSort() == Type.OBJECT ? t.getInternalName() : null;
    }
}
