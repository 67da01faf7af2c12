package dev.thrillring.engine;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bytecode layer on its own: a rule class that reaches outside the model is refused, whatever produced it. */
class BytecodeCheckTest {

    /** A class shaped like Drools' rule classes, whose consequence makes one call. */
    private static byte[] ruleClass(String name, String owner, String method, String descriptor) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, name, null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "defaultConsequence", "()V", null, null);
        mv.visitCode();
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, owner, method, descriptor, false);
        if (!descriptor.endsWith("V")) mv.visitInsn(Opcodes.POP);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    @Test
    void shouldRefuseAReferenceOutsideTheAllowList() {
        var classes = Map.of("uploaded/t/f0/Rule_r1.class", ruleClass("uploaded/t/f0/Rule_r1", "java/lang/Runtime", "getRuntime", "()Ljava/lang/Runtime;"));
        assertThat(BytecodeCheck.violations(classes)).singleElement().asString().contains("java.lang.Runtime.getRuntime");
    }

    @Test
    void shouldRefuseTheEngineRuntimeEvenThroughItsHelper() {
        var classes = Map.of("uploaded/t/f0/Rule_r1.class", ruleClass("uploaded/t/f0/Rule_r1",
                "org/drools/core/rule/consequence/KnowledgeHelper", "getKieRuntime", "()Lorg/kie/api/runtime/KieRuntime;"));
        assertThat(BytecodeCheck.violations(classes)).singleElement().asString().contains("getKieRuntime");
    }

    @Test
    void shouldRefuseGetClassOutsideDroolsInvokerTemplates() {
        var classes = Map.of("uploaded/t/f0/Rule_r1.class", ruleClass("uploaded/t/f0/Rule_r1", "java/lang/Object", "getClass", "()Ljava/lang/Class;"));
        assertThat(BytecodeCheck.violations(classes)).isNotEmpty();
    }

    @Test
    void shouldAllowTheOutcomeApi() {
        var classes = Map.of("uploaded/t/f0/Rule_r1.class", ruleClass("uploaded/t/f0/Rule_r1", "dev/thrillring/engine/model/Outcomes", "points", "(JLjava/lang/String;)V"));
        assertThat(BytecodeCheck.violations(classes)).isEmpty();
    }
}
