package ft.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The ft server image, built by Testcontainers from the repository's own {@code Dockerfile}
 * and the packaged jar, the way a user builds it, except for the base: no registry is
 * reachable here, so {@code docker/jlink-base} first assembles a runtime image from the JDK
 * running this test and the Dockerfile's {@code BASE_IMAGE} argument points at it.
 */
final class ServerImage {
    static final Path REPO =
            Path.of(System.getProperty("ft.repo", "..")).toAbsolutePath().normalize();

    private final String baseName;
    /** The image's name; {@link #image} builds it. */
    final String name;
    /** The ft image, built when a container first needs it; its base is built already. */
    final ImageFromDockerfile image;

    /** Assembles the base image's build context in {@code scratch}, builds it, and describes the ft image. */
    ServerImage(Path scratch) throws IOException, InterruptedException {
        String tag = Long.toHexString(System.nanoTime());
        baseName = "ft-jre-it:" + tag;
        name = "ft-it:" + tag;
        Path baseContext = jlinkBase(scratch);
        new ImageFromDockerfile(baseName, false)
                .withFileFromPath("Dockerfile", baseContext.resolve("Dockerfile"))
                .withFileFromPath("rootfs", baseContext.resolve("rootfs"))
                .get();
        image = new ImageFromDockerfile(name, false)
                .withFileFromPath("Dockerfile", REPO.resolve("Dockerfile"))
                .withFileFromPath("cli/target/ft.jar", FtProcesses.JAR)
                .withFileFromPath("docker/ft", REPO.resolve("docker/ft"))
                .withFileFromPath("docker/ft-healthcheck", REPO.resolve("docker/ft-healthcheck"))
                .withBuildArg("BASE_IMAGE", baseName);
    }

    private static Path jlinkBase(Path scratch) throws IOException, InterruptedException {
        Path context = scratch.resolve("jlink-base");
        Path log = scratch.resolve("jlink-base.log");
        Process p = new ProcessBuilder(List.of(
                        "bash",
                        REPO.resolve("docker/jlink-base").toString(),
                        context.toString(),
                        FtProcesses.JAR.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("docker/jlink-base did not finish in 5 minutes");
        }
        if (p.exitValue() != 0) {
            throw new IOException("docker/jlink-base failed: " + Files.readString(log));
        }
        return context;
    }

    /** Removes both images: Testcontainers' own clean-up needs Ryuk, which cannot run here. */
    void remove(DockerClient docker) {
        for (String n : List.of(name, baseName)) {
            try {
                docker.removeImageCmd(n).withForce(true).exec();
            } catch (NotFoundException notBuilt) {
                // nothing to remove
            }
        }
    }
}
