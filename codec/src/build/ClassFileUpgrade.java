import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Build step (run by codec's pom with Java's source launcher and ASM): copies a jar, rewriting each class older than
 * class-file version 52 (Java 8) to version 52 with stack map frames computed by ASM, so that class-data sharing
 * can archive it. The JVM refuses to archive classes below version 50 ("Pre JDK 6 class not supported by CDS") and
 * verifies them with the old type-inferring verifier at every start; picocli's jar targets Java 5 (version 49), and
 * its ~170 classes were a third of a one-shot command's start-up. The bytecode is unchanged (version 52 adds no
 * semantics that these classes could meet); only the version and the frames differ. Other entries are copied as they
 * are, with their times, and the output is written under a temporary name and moved into place.
 * <p>
 * Arguments: the input jar, the output jar.
 */
public final class ClassFileUpgrade
{
    private static final int TARGET_VERSION = Opcodes.V1_8;

    private ClassFileUpgrade()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (2 != args.length)
        {
            System.err.println("usage: ClassFileUpgrade IN.jar OUT.jar");
            System.exit(2);
        }
        final Path in = Path.of(args[0]);
        final Path out = Path.of(args[1]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        final Path temp = out.resolveSibling("." + out.getFileName() + ".tmp");
        int upgraded = 0;
        // ASM's frame computation asks for the common superclass of two types: answered by loading them from the jar.
        try (URLClassLoader loader = new URLClassLoader(new URL[]{ in.toUri().toURL() },
                ClassLoader.getPlatformClassLoader());
            ZipInputStream zin = new ZipInputStream(Files.newInputStream(in));
            ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(temp)))
        {
            ZipEntry entry;
            while (null != (entry = zin.getNextEntry()))
            {
                byte[] bytes = zin.readAllBytes();
                if (entry.getName().endsWith(".class") && !entry.getName().endsWith("module-info.class") &&
                    majorVersion(bytes) < TARGET_VERSION)
                {
                    bytes = upgrade(bytes, loader);
                    upgraded++;
                }
                final ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                zout.putNextEntry(copy);
                zout.write(bytes);
                zout.closeEntry();
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            Files.deleteIfExists(temp);
            throw ex;
        }
        Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("ClassFileUpgrade: " + upgraded + " classes of " + in.getFileName() +
            " rewritten to class-file version " + TARGET_VERSION + " in " + out);
    }

    private static int majorVersion(final byte[] classFile)
    {
        return ((classFile[6] & 0xFF) << 8) | (classFile[7] & 0xFF);
    }

    private static byte[] upgrade(final byte[] classFile, final ClassLoader loader)
    {
        final ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES)
        {
            @Override
            protected ClassLoader getClassLoader()
            {
                return loader;
            }
        };
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, writer)
        {
            @Override
            public void visit(
                final int version, final int access, final String name, final String signature,
                final String superName, final String[] interfaces)
            {
                super.visit(TARGET_VERSION, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);

        return writer.toByteArray();
    }
}
