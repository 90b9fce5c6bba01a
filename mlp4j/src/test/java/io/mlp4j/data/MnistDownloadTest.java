package io.mlp4j.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.mlp4j.data.IdxFiles.gzip;
import static io.mlp4j.data.IdxFiles.images;
import static io.mlp4j.data.IdxFiles.labels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MnistDownloadTest {

    @TempDir
    Path tmp;

    private TinyHttpServer server;
    private final Map<String, byte[]> files = new HashMap<>();
    private final Map<String, String> hashes = new HashMap<>();

    /** Every progress call, as "file bytes/total", and every mirror failure, as "FAIL file url reason". */
    private final List<String> events = new ArrayList<>();
    private final DownloadProgress recorder = new DownloadProgress() {
        @Override
        public void update(String file, long bytes, long total) {
            events.add(file + " " + bytes + "/" + total);
        }

        @Override
        public void mirrorFailed(String file, URI url, String reason) {
            events.add("FAIL " + file + " " + url + " " + reason);
        }
    };

    @BeforeEach
    void setUp() throws IOException {
        server = new TinyHttpServer();
        // A tiny MNIST: 30 training and 12 test images of 4x4 pixels, gzipped like the real files.
        files.put(Mnist.TRAIN_IMAGES, gzip(images(30, 4, 4)));
        files.put(Mnist.TRAIN_LABELS, gzip(labels(30)));
        files.put(Mnist.TEST_IMAGES, gzip(images(12, 4, 4)));
        files.put(Mnist.TEST_LABELS, gzip(labels(12)));
        files.forEach((name, bytes) -> hashes.put(name, sha256(bytes)));
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private void serveAll(String folder) {
        files.forEach((name, bytes) -> server.serve("/" + folder + "/" + name, TinyHttpServer.Response.ok(bytes)));
    }

    private void serveCorrupt(String folder) {
        files.forEach((name, bytes) -> {
            byte[] bad = bytes.clone();
            bad[bad.length / 2] ^= 1;
            server.serve("/" + folder + "/" + name, TinyHttpServer.Response.ok(bad));
        });
    }

    private void assertDownloaded(Path dir) throws IOException {
        for (String name : Mnist.FILES) {
            assertArrayEquals(files.get(name), Files.readAllBytes(dir.resolve(name)), name);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(4, s.count(), "no temporary files are left behind");
        }
    }

    /** An address where nothing listens. */
    private static URI deadMirror() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port + "/mnist/");
    }

    @Test
    void downloadsTheFourFilesWithProgress() throws IOException {
        serveAll("mnist");
        Path dir = tmp.resolve("new/sub"); // created as needed
        Mnist.download(dir, List.of(server.base("mnist")), hashes, recorder);
        assertDownloaded(dir);
        for (String name : Mnist.FILES) {
            long size = files.get(name).length;
            List<String> mine = events.stream().filter(e -> e.startsWith(name + " ")).collect(Collectors.toList());
            assertEquals(name + " 0/" + size, mine.get(0), "a transfer starts at 0 with the total");
            assertEquals(name + " " + size + "/" + size, mine.get(mine.size() - 1), "and ends complete");
        }
        assertFalse(events.stream().anyMatch(e -> e.startsWith("FAIL")), events.toString());
        Mnist m = Mnist.load(dir);
        assertEquals(30, m.train().size());
        assertEquals(12, m.test().size());
        assertEquals(4, m.train().rows());
    }

    @Test
    void aCorruptMirrorIsSkippedForTheNextOne() throws IOException {
        serveCorrupt("bad");
        serveAll("good");
        Path dir = tmp.resolve("d");
        Mnist.download(dir, List.of(server.base("bad"), server.base("good")), hashes, recorder);
        assertDownloaded(dir);
        String first = Mnist.FILES.get(0);
        assertTrue(events.stream().anyMatch(e -> e.startsWith("FAIL " + first + " " + server.base("bad") + first
                + " wrong SHA-256")), events.toString());
        assertEquals(1, server.hits("/bad/" + first));
        for (String name : Mnist.FILES) {
            assertEquals(1, server.hits("/good/" + name));
            if (!name.equals(first)) {
                assertEquals(0, server.hits("/bad/" + name), "the mirror that worked is tried first from then on");
            }
        }
    }

    @Test
    void aMissingFileIsFetchedFromTheNextMirror() throws IOException {
        serveAll("good");
        Path dir = tmp.resolve("d");
        Mnist.download(dir, List.of(server.base("empty"), deadMirror(), server.base("good")), hashes, recorder);
        assertDownloaded(dir);
        assertTrue(events.stream().anyMatch(e -> e.startsWith("FAIL " + Mnist.TRAIN_IMAGES) && e.contains("HTTP 404")),
                events.toString());
        assertTrue(events.stream().anyMatch(e -> e.contains("cannot connect")), events.toString());
    }

    @Test
    void whenEveryMirrorFailsTheMessageSaysWhatWasTriedAndHowToFixIt() throws IOException {
        serveCorrupt("bad");
        URI dead = deadMirror();
        Path dir = tmp.resolve("d");
        List<URI> mirrors = List.of(server.base("bad"), server.base("empty"), dead);
        IOException e = assertThrows(IOException.class, () -> Mnist.download(dir, mirrors, hashes, recorder));
        String m = e.getMessage();
        for (String part : List.of(Mnist.TRAIN_IMAGES, dir.toString(), "3 mirrors", server.base("bad") + Mnist.TRAIN_IMAGES,
                "wrong SHA-256", server.base("empty") + Mnist.TRAIN_IMAGES, "HTTP 404", dead + Mnist.TRAIN_IMAGES,
                "cannot connect", hashes.get(Mnist.TRAIN_IMAGES), "proxy", "by hand")) {
            assertTrue(m.contains(part), "expected '" + part + "' in: " + m);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "neither the bad file nor a temporary file is kept");
        }
    }

    @Test
    void aConnectionCutShortIsAFailure() throws IOException {
        byte[] whole = files.get(Mnist.TRAIN_IMAGES);
        server.serve("/cut/" + Mnist.TRAIN_IMAGES, new TinyHttpServer.Response(200,
                java.util.Arrays.copyOf(whole, whole.length / 2), whole.length));
        Path dir = tmp.resolve("d");
        IOException e = assertThrows(IOException.class,
                () -> Mnist.download(dir, List.of(server.base("cut")), hashes, recorder));
        assertTrue(e.getMessage().contains(Mnist.TRAIN_IMAGES), e.getMessage());
        assertFalse(Files.exists(dir.resolve(Mnist.TRAIN_IMAGES)));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void filesAlreadyPresentAreNotDownloadedAgainButWrongOnesAreReplaced() throws IOException {
        serveAll("mnist");
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir);
        Files.write(dir.resolve(Mnist.TRAIN_IMAGES), files.get(Mnist.TRAIN_IMAGES));
        Files.write(dir.resolve(Mnist.TEST_LABELS), new byte[] {1, 2, 3}); // present but wrong
        Mnist.download(dir, List.of(server.base("mnist")), hashes, recorder);
        assertDownloaded(dir);
        assertEquals(0, server.hits("/mnist/" + Mnist.TRAIN_IMAGES));
        assertEquals(1, server.hits("/mnist/" + Mnist.TEST_LABELS));
        long size = files.get(Mnist.TRAIN_IMAGES).length;
        assertTrue(events.contains(Mnist.TRAIN_IMAGES + " " + size + "/" + size), events.toString());

        // A second run fetches nothing.
        Mnist.download(dir, List.of(server.base("mnist")), hashes, recorder);
        for (String name : Mnist.FILES) {
            assertTrue(server.hits("/mnist/" + name) <= 1, name);
        }
    }

    @Test
    void theRealChecksumsAreEnforcedByThePublicOverload() throws IOException {
        serveAll("mnist");
        Path dir = tmp.resolve("d");
        IOException e = assertThrows(IOException.class,
                () -> Mnist.download(dir, List.of(server.base("mnist")), DownloadProgress.none()));
        assertTrue(e.getMessage().contains("wrong SHA-256"), e.getMessage());
        assertTrue(e.getMessage().contains(Mnist.SHA256.get(Mnist.TRAIN_IMAGES)), e.getMessage());
    }

    @Test
    void locatePrefersTheGivenDirectoryThenTheEnvironmentThenTheCache() throws IOException {
        serveAll("mnist");
        List<URI> mirrors = List.of(server.base("mnist"));
        Path given = tmp.resolve("given");
        Mnist.download(given, mirrors, hashes, DownloadProgress.none());
        Path env = tmp.resolve("env");
        Mnist.download(env, mirrors, hashes, DownloadProgress.none());
        int before = server.hits("/mnist/" + Mnist.TRAIN_IMAGES);

        Map<String, String> environment = Map.of("MLP4J_DATA", env.toString(), "XDG_CACHE_HOME", tmp.resolve("xdg").toString());
        assertEquals(given, Mnist.locate(given.toString(), environment, "/nonexistent", mirrors, hashes, recorder));
        assertEquals(env, Mnist.locate(null, environment, "/nonexistent", mirrors, hashes, recorder));
        assertEquals(env, Mnist.locate(" ", environment, "/nonexistent", mirrors, hashes, recorder));
        assertEquals(before, server.hits("/mnist/" + Mnist.TRAIN_IMAGES), "given directories are not downloaded into");

        Path cache = Mnist.locate(null, Map.of("XDG_CACHE_HOME", tmp.resolve("xdg").toString()), "/nonexistent",
                mirrors, hashes, recorder);
        assertEquals(tmp.resolve("xdg").resolve("mlp4j").resolve("mnist"), cache);
        assertDownloaded(cache);
        // A relative XDG_CACHE_HOME is ignored (the XDG spec says so): the home directory's .cache is used.
        Path home = tmp.resolve("home");
        Path homeCache = Mnist.locate(null, Map.of("XDG_CACHE_HOME", "relative"), home.toString(), mirrors, hashes,
                recorder);
        assertEquals(home.resolve(".cache/mlp4j/mnist"), homeCache);
        assertDownloaded(homeCache);
    }

    @Test
    void locateRefusesAGivenDirectoryThatLacksAFile() throws IOException {
        Path given = tmp.resolve("given");
        Files.createDirectories(given);
        Files.write(given.resolve(Mnist.TRAIN_IMAGES), files.get(Mnist.TRAIN_IMAGES));
        IOException e = assertThrows(IOException.class, () -> Mnist.locate(given.toString(), Map.of(), "/x",
                List.of(server.base("mnist")), hashes, recorder));
        assertTrue(e.getMessage().contains(given.toString()) && e.getMessage().contains(Mnist.TRAIN_LABELS),
                e.getMessage());
        IOException absent = assertThrows(IOException.class, () -> Mnist.locate(null,
                Map.of("MLP4J_DATA", tmp.resolve("nope").toString()), "/x", List.of(server.base("mnist")), hashes,
                recorder));
        assertTrue(absent.getMessage().contains("nope") && absent.getMessage().contains("MLP4J_DATA"),
                absent.getMessage());
    }
}
