package dev.thrillring.engine.hostile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;

/**
 * What a rule could change in the JVM that runs the server (the tests run it in-process): live
 * thread names, default locales and time zone, system properties. Thread names are compared with
 * their digits blanked, so a pool growing by one worker does not count as a new thread.
 */
record JvmState(Set<String> threads, Locale locale, Locale format, Locale display, TimeZone zone, Map<String, String> properties) {

    static JvmState now() {
        Set<String> threads = new HashSet<>();
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] all = new Thread[root.activeCount() + 64];
        int n = root.enumerate(all, true);
        for (Thread t : java.util.Arrays.copyOf(all, n)) {
            // The JDK's own process reapers come and go with any child process of the JVM (the embedded database's).
            if (t.isAlive() && !t.getName().equals("process reaper")) threads.add(normal(t.getName()));
        }
        Map<String, String> props = new HashMap<>();
        System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        return new JvmState(threads, Locale.getDefault(), Locale.getDefault(Locale.Category.FORMAT),
                Locale.getDefault(Locale.Category.DISPLAY), (TimeZone) TimeZone.getDefault().clone(), props);
    }

    static String normal(String threadName) { return threadName.replaceAll("[0-9]+", "#"); }

    /** Everything that differs from {@code before}, in words; empty when nothing changed. */
    List<String> changesSince(JvmState before) {
        List<String> out = new ArrayList<>();
        Set<String> born = new HashSet<>(threads);
        born.removeAll(before.threads);
        if (!born.isEmpty()) out.add("new threads " + born);
        if (!locale.equals(before.locale)) out.add("default locale " + before.locale + " -> " + locale);
        if (!format.equals(before.format)) out.add("format locale " + before.format + " -> " + format);
        if (!display.equals(before.display)) out.add("display locale " + before.display + " -> " + display);
        if (!zone.getID().equals(before.zone.getID())) out.add("time zone " + before.zone.getID() + " -> " + zone.getID());
        Set<String> keys = new HashSet<>(properties.keySet());
        keys.addAll(before.properties.keySet());
        for (String k : keys) {
            String was = before.properties.get(k), is = properties.get(k);
            if (was == null ? is != null : !was.equals(is)) out.add("system property " + k + ": " + was + " -> " + is);
        }
        return out;
    }

    /** Puts locales, time zone and system properties back as they were (threads cannot be undone). */
    void restore() {
        Locale.setDefault(locale);
        Locale.setDefault(Locale.Category.FORMAT, format);
        Locale.setDefault(Locale.Category.DISPLAY, display);
        TimeZone.setDefault(zone);
        for (String k : new HashSet<>(System.getProperties().stringPropertyNames())) {
            if (!properties.containsKey(k)) System.clearProperty(k);
        }
        properties.forEach((k, v) -> {
            if (!v.equals(System.getProperty(k))) System.setProperty(k, v);
        });
    }
}
