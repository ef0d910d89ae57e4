using SparseDictionary.Cli.Terminal;

namespace SparseDictionary.Cli.Tests;

/// <summary>The progress bar, driven by a hand-set clock.</summary>
public sealed class ProgressBarTests
{
    private TimeSpan _now;

    [Fact]
    public void On_a_terminal_it_redraws_one_line_in_place_at_most_every_redraw_interval()
    {
        var writer = new StringWriter();
        var options = new ConsoleProgressOptions { Label = "collect", Total = 1000, Unit = "tokens", Interactive = true, BarWidth = 10 };
        using (var bar = new ConsoleProgressBar<long>(writer, t => t, options, () => _now))
        {
            _now = TimeSpan.FromSeconds(1);
            bar.Report(100);                  // drawn: the first report
            _now += TimeSpan.FromMilliseconds(50);
            bar.Report(150);                  // skipped: within 100 ms
            _now += TimeSpan.FromMilliseconds(60);
            bar.Report(500);                  // drawn
            _now = TimeSpan.FromSeconds(2);
        }                                     // final state, then a newline

        string text = writer.ToString();
        string[] draws = text.Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, draws.Length);
        Assert.StartsWith("collect [#.........]  10% 100/1000 tokens, 100 tokens/s, 0:09 left, 0:01 elapsed", draws[0]);
        Assert.StartsWith("collect [#####.....]  50% 500/1000 tokens", draws[1]);
        Assert.EndsWith("\n", text);
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.DoesNotContain("150/", text);
    }

    [Fact]
    public void When_redirected_it_writes_a_plain_line_at_most_every_plain_interval_and_at_the_end()
    {
        var writer = new StringWriter();
        var options = new ConsoleProgressOptions { Label = "eval", Unit = "tokens", Interactive = false, PlainInterval = TimeSpan.FromSeconds(10) };
        using (var bar = new ConsoleProgressBar<long>(writer, t => t, options, () => _now))
        {
            for (int second = 1; second <= 25; second++)
            {
                _now = TimeSpan.FromSeconds(second);
                bar.Report(second * 100L);
            }
        }
        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Seconds 1, 11 and 21, then the final state at 25.
        Assert.Equal(["eval 100 tokens, 100 tokens/s, 0:01 elapsed", "eval 1100 tokens, 100 tokens/s, 0:11 elapsed",
            "eval 2100 tokens, 100 tokens/s, 0:21 elapsed", "eval 2500 tokens, 100 tokens/s, 0:25 elapsed"], lines);
        Assert.DoesNotContain('\r', writer.ToString());
    }

    [Fact]
    public void Nothing_is_written_when_nothing_was_reported()
    {
        var writer = new StringWriter();
        new ConsoleProgressBar<long>(writer, t => t, new ConsoleProgressOptions { Interactive = true }, () => _now).Dispose();
        Assert.Empty(writer.ToString());
    }

    [Fact]
    public void A_report_after_cancellation_throws_to_stop_the_work()
    {
        using var cancellation = new CancellationTokenSource();
        using var bar = new ConsoleProgressBar<long>(new StringWriter(), t => t, new ConsoleProgressOptions(), () => _now, cancellation.Token);
        bar.Report(1);
        cancellation.Cancel();
        Assert.Throws<OperationCanceledException>(() => bar.Report(2));
    }
}
