package io.ptyq.bridge;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Debian's headless Chromium driven through Debian's chromedriver: the system browser, nothing downloaded.
 */
final class Browser implements AutoCloseable
{
    static final String CHROMIUM = System.getProperty("ptyq.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("ptyq.chromedriver", "/usr/bin/chromedriver");

    private final ChromeDriver driver;

    Browser(final Path profileDir)
    {
        if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER)))
        {
            throw new AssertionError("this test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " +
                CHROMEDRIVER + "): apt-get install chromium chromium-driver, as .ci/run does");
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // CI runs as root, where Chromium's sandbox cannot start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--no-first-run", "--window-size=1280,900", "--user-data-dir=" + profileDir);
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
    }

    WebDriver driver()
    {
        return driver;
    }

    void open(final String url)
    {
        driver.get(url);
    }

    Object script(final String script, final Object... args)
    {
        return ((JavascriptExecutor)driver).executeScript(script, args);
    }

    Object asyncScript(final String script, final Object... args)
    {
        return ((JavascriptExecutor)driver).executeAsyncScript(script, args);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> stats()
    {
        return (Map<String, Object>)script("return window.ptyq ? window.ptyq.stats() : null;");
    }

    /**
     * Wait until the page's view statistics satisfy a condition.
     */
    Map<String, Object> awaitStats(final String what, final long timeoutMs, final Predicate<Map<String, Object>> ok)
        throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        Map<String, Object> stats = null;
        while (System.currentTimeMillis() < deadlineMs)
        {
            stats = stats();
            if (null != stats && ok.test(stats))
            {
                return stats;
            }
            Thread.sleep(100);
        }
        final Map<String, Object> last = stats;
        if (null != last)
        {
            last.remove("text");
        }
        throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what + "; last stats: " +
            last + "; page text: " + (null == stats() ? "" : String.valueOf(stats().get("text")).strip()));
    }

    @Override
    public void close()
    {
        driver.quit();
    }
}
