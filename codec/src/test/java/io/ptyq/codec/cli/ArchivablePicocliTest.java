package io.ptyq.codec.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The picocli jar that codec's build rewrites for bin/ptyq (src/build/ClassFileUpgrade.java): the same entries as
 * the original, every class at class-file version 52 or later with the same methods' code, and every class passing
 * the JVM's verifier (the split verifier checks the computed stack map frames) when loaded on its own, and
 * {@code ptyq} run with it in a child JVM prints and exits exactly as with the original.
 */
class ArchivablePicocliTest
{
    private static final Path ORIGINAL = jarOf(CommandLine.class);
    private static final Path ARCHIVABLE = Path.of("target", "archivable", ORIGINAL.getFileName().toString());

    @Test
    void shouldHoldTheOriginalsEntriesWithEveryClassAtVersion52() throws IOException
    {
        final Map<String, byte[]> original = entries(ORIGINAL);
        final Map<String, byte[]> archivable = entries(ARCHIVABLE);
        assertEquals(original.keySet(), archivable.keySet());
        int classes = 0;
        for (final Map.Entry<String, byte[]> entry : archivable.entrySet())
        {
            final String name = entry.getKey();
            if (!name.endsWith(".class") || name.endsWith("module-info.class"))
            {
                assertTrue(java.util.Arrays.equals(original.get(name), entry.getValue()), name + " changed");
                continue;
            }
            classes++;
            assertTrue(majorVersion(entry.getValue()) >= 52, name + " is still version " +
                majorVersion(entry.getValue()));
        }
        assertTrue(classes > 100, "only " + classes + " classes in " + ARCHIVABLE);
    }

    @Test
    void shouldPassTheVerifierForEveryClass() throws Exception
    {
        final List<String> failures = new ArrayList<>();
        int linked = 0;
        try (URLClassLoader loader = new URLClassLoader(new URL[]{ ARCHIVABLE.toUri().toURL() },
            ClassLoader.getPlatformClassLoader()))
        {
            for (final String name : entries(ARCHIVABLE).keySet())
            {
                if (!name.endsWith(".class") || name.contains("module-info"))
                {
                    continue;
                }
                final String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                try
                {
                    // Initialising links the class, and linking a class of a loader that is not the boot loader
                    // verifies it.
                    Class.forName(className, true, loader);
                    linked++;
                }
                catch (final LinkageError ex)
                {
                    failures.add(className + ": " + ex);
                }
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(linked > 100, "only " + linked + " classes linked");
    }

    @Test
    void shouldRunPtyqAsTheOriginalDoes() throws Exception
    {
        for (final String[] args : List.of(new String[]{ "--help" }, new String[]{ "--version" },
            new String[]{ "no-such-command" }, new String[]{ "--no-such-option" }, new String[0]))
        {
            assertEquals(ptyq(ORIGINAL, args), ptyq(ARCHIVABLE, args), String.join(" ", args));
        }
    }

    /**
     * @return exit code, stdout and stderr of {@code ptyq ARGS} in a child JVM with codec's classes and that picocli.
     */
    private static String ptyq(final Path picocliJar, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:off",
            "-cp", Path.of("target", "classes") + java.io.File.pathSeparator + picocliJar,
            Ptyq.class.getName()));
        command.addAll(List.of(args));
        final Path out = Files.createTempFile("ptyq-stdout", ".txt");
        final Path err = Files.createTempFile("ptyq-stderr", ".txt");
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "ptyq " + String.join(" ", args) + " did not exit");

            return "exit " + process.exitValue() + "\nstdout:\n" + Files.readString(out) + "stderr:\n" +
                Files.readString(err);
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Map<String, byte[]> entries(final Path jar) throws IOException
    {
        assertTrue(Files.isRegularFile(jar), jar + " is missing: codec's build (process-resources) writes it");
        final Map<String, byte[]> entries = new TreeMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile()))
        {
            for (final ZipEntry entry : java.util.Collections.list(zip.entries()))
            {
                entries.put(entry.getName(), zip.getInputStream(entry).readAllBytes());
            }
        }

        return entries;
    }

    private static int majorVersion(final byte[] classFile)
    {
        return ((classFile[6] & 0xFF) << 8) | (classFile[7] & 0xFF);
    }

    private static Path jarOf(final Class<?> type)
    {
        try
        {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
