package io.mlp4j.demo;

import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import io.mlp4j.demo.serve.DigitServer;
import io.mlp4j.picture.Pictures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The draw-a-digit page in a real browser: Debian's chromium, headless, driven by chromium-driver through
 * Selenium. Draws a 7 with mouse events, uploads a picture of a 3, and keeps screenshots in target/.
 */
class PageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private static DigitServer server;
    private static WebDriver browser;
    private static Path profile;

    @BeforeAll
    static void start() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI needs chromium and chromium-driver (apt), see .ci/run");
        }
        assumeTrue(installed, "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        server = Served.start(Served.options());
        profile = Files.createTempDirectory("mlp4j-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1000,800");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, o);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void drawASevenWithTheMouseThenUploadAThree() throws Exception {
        browser.manage().window().setSize(new Dimension(1000, 800));
        browser.get(server.uri().toString());
        WebElement pad = browser.findElement(By.id("pad"));
        WebElement answer = browser.findElement(By.id("answer"));
        assertEquals("–", answer.getText());

        // A 7: a bar from left to right along the top, then a stroke down to the lower middle (offsets from the
        // canvas' centre, in CSS pixels of a 320-pixel canvas).
        Actions draw = new Actions(browser).moveToElement(pad, -85, -95).clickAndHold();
        for (int i = 1; i <= 10; i++) {
            draw.moveByOffset(17, 0);
        }
        for (int i = 1; i <= 12; i++) {
            draw.moveByOffset(-8, 17);
        }
        draw.release().perform();
        await(() -> answer.getText(), "7");
        assertTrue(browser.findElement(By.cssSelector("#bars li[data-digit='7']")).getAttribute("class")
                .contains("best"), "the 7's bar is marked");
        String pct = browser.findElement(By.cssSelector("#bars li[data-digit='7'] .pct")).getText();
        assertTrue(pct.matches("\\d+(\\.\\d)?%") && Double.parseDouble(pct.replace("%", "")) > 50, pct);
        long bar = ((Number) ((JavascriptExecutor) browser).executeScript("return document.querySelector("
                + "\"#bars li[data-digit='7'] .fill\").getBoundingClientRect().width")).longValue();
        assertTrue(bar > 0, "the 7's bar has a length");
        Files.write(screenshot("serve-page-seven.png"),
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

        // Clear with the keyboard: Tab to the button, Enter.
        WebElement clear = browser.findElement(By.id("clear"));
        pad.click();
        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertEquals(clear, browser.switchTo().activeElement(), "Tab from the canvas reaches Clear");
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        await(() -> answer.getText(), "–");

        // Upload a picture of a 3 (an MNIST test digit drawn dark on light paper, as someone would photograph it).
        Path three = Files.createTempFile("three", ".png");
        try {
            ImageIO.write(pictureOfAThree(), "png", three.toFile());
            browser.findElement(By.id("upload")).sendKeys(three.toString());
            await(() -> answer.getText(), "3");
        } finally {
            Files.deleteIfExists(three);
        }
        Files.write(screenshot("serve-page-three.png"),
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void fitsAPhoneSizedViewport() {
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            browser.get(server.uri().toString());
            JavascriptExecutor js = (JavascriptExecutor) browser;
            long scroll = ((Number) js.executeScript("return document.documentElement.scrollWidth")).longValue();
            long inner = ((Number) js.executeScript("return window.innerWidth")).longValue();
            assertTrue(scroll <= inner, "no sideways scrolling: " + scroll + " > " + inner);
            WebElement pad = browser.findElement(By.id("pad"));
            assertTrue(pad.getRect().getX() >= 0 && pad.getRect().getX() + pad.getRect().getWidth() <= inner,
                    "the canvas is inside the screen: " + pad.getRect());
            assertTrue(browser.findElement(By.id("clear")).isDisplayed());
        } finally {
            browser.manage().window().setSize(new Dimension(1000, 800));
        }
    }

    /** target/NAME: kept as a build artifact. */
    private static Path screenshot(String name) throws java.io.IOException {
        String image = System.getProperty("mlp4j.image", "target/mlp4j"); // the image folder is target/mlp4j
        Path dir = Path.of(image.contains("${") ? "target/mlp4j" : image).toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return dir.resolve(name);
    }

    private static BufferedImage pictureOfAThree() throws Exception {
        DataSet test = Cli.mnist().test();
        Classifier model = Classifier.pretrained();
        for (int i = 0; i < test.size(); i++) {
            if (test.label(i) == 3) {
                BufferedImage picture = Digits.onPaper(test, i, 5, 180, 160, 20, 10);
                if (model.predict(Pictures.input(picture)) == 3) {
                    return picture;
                }
            }
        }
        throw new AssertionError("no 3 in MNIST's test set that the model recognises");
    }

    private static void await(Supplier<String> value, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = value.get();
            if (expected.equals(last)) {
                return;
            }
            Thread.sleep(50);
        }
        assertEquals(expected, last, "the page's answer; status: " + browser.findElement(By.id("status")).getText());
    }
}
