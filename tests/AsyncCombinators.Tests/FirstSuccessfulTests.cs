using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

public class FirstSuccessfulTests
{
    [Fact]
    public async Task FirstSuccessful_AllAtOnce_FirstSuccessWinsOthersCancelledAndAwaited()
    {
        var probe = new OperationProbe<int>(3, honorCancellation: false);
        Task<int> race = Async.FirstSuccessful(probe.Operations);
        Task<bool> loserEndedFirst = race.AtCompletion(() => probe.Completions[1].Task.IsCompleted);
        probe.StartOrder.Should().Equal(0, 1, 2);

        probe.Completions[0].SetException(new FormatException());
        probe.Completions[2].SetResult(42);
        await WaitUntil(() => probe.Tokens[1].IsCancellationRequested);
        probe.Completions[1].SetCanceled();

        (await race.Guard()).Should().Be(42);
        (await loserEndedFirst).Should().BeTrue("the race ends only after the loser it cancelled has ended");
        probe.Running.Should().Be(0);
    }

    [Fact]
    public async Task FirstSuccessful_AllFail_AggregateInInputOrder()
    {
        var probe = new OperationProbe<int>(3);
        Task<int> race = Async.FirstSuccessful(probe.Operations);
        probe.Completions[2].SetException(new FormatException("c"));
        probe.Completions[0].SetException(new InvalidOperationException("a"));
        probe.Completions[1].SetCanceled();

        var thrown = await FluentActions.Awaiting(() => race.Guard()).Should().ThrowAsync<AggregateException>();
        thrown.Which.InnerExceptions.Should().HaveCount(3);
        thrown.Which.InnerExceptions[0].Message.Should().Be("a");
        thrown.Which.InnerExceptions[1].Should().BeAssignableTo<OperationCanceledException>();
        thrown.Which.InnerExceptions[2].Message.Should().Be("c");
    }

    [Fact]
    public async Task FirstSuccessful_Stagger_NextStartsAfterDelayOrWhenLatestFails()
    {
        var time = new TimerCountingTimeProvider();
        var probe = new OperationProbe<int>(4);
        Task<int> race = Async.FirstSuccessful(probe.Operations, TimeSpan.FromSeconds(1), time);
        probe.StartOrder.Should().Equal(0);

        time.Advance(TimeSpan.FromMilliseconds(999));
        probe.StartOrder.Should().Equal(0);
        time.Advance(TimeSpan.FromMilliseconds(1));
        probe.StartOrder.Should().Equal(0, 1);

        probe.Completions[1].SetException(new FormatException());
        await WaitUntil(() => probe.StartOrder.Count == 3);
        probe.StartOrder.Should().Equal(new[] { 0, 1, 2 }, "the latest failed: its successor starts at once");

        probe.Completions[2].SetResult(7);
        (await race.Guard()).Should().Be(7);
        probe.Started(3).Should().BeFalse("operations not yet started are never started");
        probe.Tokens[0].IsCancellationRequested.Should().BeTrue();
        time.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public async Task FirstSuccessful_InfiniteStagger_StrictlyOneAfterAnother()
    {
        var time = new FakeTimeProvider();
        var probe = new OperationProbe<int>(3);
        Task<int> race = Async.FirstSuccessful(probe.Operations, Timeout.InfiniteTimeSpan, time);
        time.Advance(TimeSpan.FromDays(1));
        probe.StartOrder.Should().Equal(0);
        probe.Completions[0].SetException(new FormatException());
        await WaitUntil(() => probe.StartOrder.Count == 2);
        probe.Completions[1].SetResult(5);
        (await race.Guard()).Should().Be(5);
        probe.Started(2).Should().BeFalse();
    }

    [Fact]
    public async Task FirstSuccessful_CallerCancels_CancelsRunningWaitsThrows()
    {
        using var cts = new CancellationTokenSource();
        var probe = new OperationProbe<int>(2, honorCancellation: false);
        Task<int> race = Async.FirstSuccessful(probe.Operations, staggerDelay: TimeSpan.FromMilliseconds(200), cancellationToken: cts.Token);
        Task<bool> runningEndedFirst = race.AtCompletion(() => probe.Completions[0].Task.IsCompleted);
        cts.Cancel();
        probe.Tokens[0].IsCancellationRequested.Should().BeTrue();
        probe.Completions[0].SetCanceled();
        await FluentActions.Awaiting(() => race.Guard()).Should().ThrowAsync<OperationCanceledException>();
        (await runningEndedFirst).Should().BeTrue("the race ends only after the operation it cancelled has ended");
        probe.Started(1).Should().BeFalse();
    }

    [Fact]
    public async Task FirstSuccessful_CallerCancelsAndAnOperationReturnsAValueOnCancellation_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var fallback = Source<int>();
        var loser = Source<int>();
        Task<int> race = Async.FirstSuccessful(new Func<CancellationToken, Task<int>>[]
        {
            ct =>
            {
                // An operation that answers its cancellation with a fallback value instead of ending canceled.
                ct.Register(() => fallback.TrySetResult(-1));
                return fallback.Task;
            },
            ct =>
            {
                ct.Register(() => loser.TrySetCanceled(ct));
                return loser.Task;
            },
        }, cancellationToken: cts.Token);

        cts.Cancel();

        await FluentActions.Awaiting(() => race.Guard()).Should().ThrowAsync<OperationCanceledException>();
        fallback.Task.Result.Should().Be(-1, "the operation did return its fallback, which the cancelled race must not report as a success");
    }

    [Fact]
    public async Task FirstSuccessful_SynchronousSuccess_LaterOperationsNeverStart()
    {
        int started = 0;
        int v = await Async.FirstSuccessful(Enumerable.Range(0, 5).Select(i => (Func<CancellationToken, Task<int>>)(_ => { started++; return Task.FromResult(i); })));
        v.Should().Be(0);
        started.Should().Be(1);
    }

    [Fact]
    public void FirstSuccessful_InvalidArguments_ThrowAtTheCall()
    {
        Func<CancellationToken, Task<int>>[] ops = { _ => Task.FromResult(1) };
        Call(() => Async.FirstSuccessful(Array.Empty<Func<CancellationToken, Task<int>>>())).Should().Throw<ArgumentException>().WithParameterName("operations");
        Call(() => Async.FirstSuccessful((IEnumerable<Func<CancellationToken, Task<int>>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("operations");
        Call(() => Async.FirstSuccessful(new Func<CancellationToken, Task<int>>[] { null! })).Should().Throw<ArgumentException>().WithParameterName("operations");
        Call(() => Async.FirstSuccessful(ops, TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("staggerDelay");
        Call(() => Async.FirstSuccessful(ops, TimeSpan.FromSeconds(1), null!)).Should().Throw<ArgumentNullException>().WithParameterName("timeProvider");
    }

    [Fact]
    public async Task FirstSuccessful_EveryContractCallShape_Completes()
    {
        using var cts = new CancellationTokenSource();
        var ct = cts.Token;
        Func<CancellationToken, Task<int>>[] ops = { _ => Task.FromResult(1), _ => Task.FromResult(2) };
        int v = await Async.FirstSuccessful(ops);
        int v2 = await Async.FirstSuccessful(ops, staggerDelay: TimeSpan.FromMilliseconds(200));
        int v3 = await Async.FirstSuccessful(ops, staggerDelay: TimeSpan.FromMilliseconds(200), cancellationToken: ct);
        int v4 = await Async.FirstSuccessful(ops, TimeSpan.FromMilliseconds(200), TimeProvider.System, ct);
        (v, v2, v3, v4).Should().Be((1, 1, 1, 1));
    }

    [Fact]
    public async Task FirstSuccessful_LaterSuccessAfterTheWinner_DoesNotReplaceTheWinnersValue()
    {
        var probe = new OperationProbe<int>(3, honorCancellation: false);
        Task<int> race = Async.FirstSuccessful(probe.Operations);
        probe.Completions[0].SetResult(10);
        probe.Completions[1].SetResult(20);
        probe.Completions[2].SetResult(30);
        (await race.Guard()).Should().Be(10, "the first success by completion time wins, even if the losers succeed too");
    }

    [Fact]
    public async Task FirstSuccessful_FailureOfAnOperationThatIsNotTheLatest_DoesNotStartTheNextEarly()
    {
        var time = new FakeTimeProvider();
        var probe = new OperationProbe<int>(4);
        Task<int> race = Async.FirstSuccessful(probe.Operations, TimeSpan.FromSeconds(1), time);
        time.Advance(TimeSpan.FromSeconds(1));
        probe.StartOrder.Should().Equal(0, 1);

        probe.Completions[0].SetException(new FormatException());
        time.Advance(TimeSpan.FromMilliseconds(999));
        probe.StartOrder.Should().Equal(new[] { 0, 1 }, "the stagger delay still runs from when operation 1 started");
        time.Advance(TimeSpan.FromMilliseconds(1));
        probe.StartOrder.Should().Equal(0, 1, 2);

        probe.Completions[2].SetResult(3);
        (await race.Guard()).Should().Be(3);

        // The race ends only after it has handled the failure of operation 0, so a start caused by that failure would
        // have happened by now: then operation 2 would have started early, and the timer would have started operation 3.
        probe.StartOrder.Should().Equal(new[] { 0, 1, 2 }, "only the failure of the latest started operation starts the next at once");
    }

    [Fact]
    public async Task FirstSuccessful_LatestFails_TheStaggerRestartsFromTheSuccessorsStart()
    {
        var time = new TimerCountingTimeProvider();
        var probe = new OperationProbe<int>(4);
        Task<int> race = Async.FirstSuccessful(probe.Operations, TimeSpan.FromSeconds(1), time);
        time.Advance(TimeSpan.FromMilliseconds(500));
        probe.Completions[0].SetException(new FormatException());
        await WaitUntil(() => probe.StartOrder.Count == 2);

        time.Advance(TimeSpan.FromMilliseconds(500));
        probe.StartOrder.Should().Equal(new[] { 0, 1 }, "operation 1 started at 0.5 s, so operation 2 is due at 1.5 s, not 1 s");
        // A start the timer allows may be made by a thread that still holds the launcher, just after Advance returns.
        time.Advance(TimeSpan.FromMilliseconds(500));
        await WaitUntil(() => probe.StartOrder.Count == 3);
        probe.StartOrder.Should().Equal(0, 1, 2);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => probe.StartOrder.Count == 4);
        probe.StartOrder.Should().Equal(new[] { 0, 1, 2, 3 }, "the stagger timer keeps firing, one operation per delay");

        probe.Completions[3].SetResult(4);
        (await race.Guard()).Should().Be(4);
        time.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public async Task FirstSuccessful_StaggerElapsingAsTheLatestFails_StartsOnlyTheNextOperation()
    {
        // The stagger of operation 0 elapses on a timer thread as operation 0 fails, and its callback runs only after the
        // failure has started operation 1. Played off any context with inline continuations, so every start happens
        // before the call that allows it returns.
        var time = new CallbackRecordingTimeProvider();
        var sources = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<int>()).ToArray();
        var started = new List<int>();
        Func<CancellationToken, Task<int>>[] operations = Enumerable.Range(0, 3)
            .Select(i => (Func<CancellationToken, Task<int>>)(ct =>
            {
                started.Add(i);
                ct.Register(() => sources[i].TrySetCanceled(ct));
                return sources[i].Task;
            }))
            .ToArray();

        Task<int>? race = null;
        await Task.Run(() =>
        {
            race = Async.FirstSuccessful(operations, TimeSpan.FromSeconds(1), time, CancellationToken.None);
            sources[0].SetException(new FormatException());
            started.Should().Equal(0, 1);

            time.Callbacks[0]();
            started.Should().Equal(new[] { 0, 1 }, "the late stagger of operation 0 allowed operation 1, which has started");
            time.Advance(TimeSpan.FromSeconds(1));
            started.Should().Equal(new[] { 0, 1, 2 }, "operation 2 is due a delay after operation 1 started");
            sources[2].SetResult(7);
        });

        (await race!.Guard()).Should().Be(7);
    }

    [Fact]
    public async Task FirstSuccessful_OneOperationOrNoStagger_CreatesNoTimer()
    {
        var time = new TimerCountingTimeProvider();
        var one = new OperationProbe<int>(1);
        Task<int> single = Async.FirstSuccessful(one.Operations, TimeSpan.FromSeconds(1), time);
        var two = new OperationProbe<int>(2);
        Task<int> noStagger = Async.FirstSuccessful(two.Operations, null, time);
        time.CreatedTimers.Should().Be(0, "one operation, or no stagger delay, needs no timer");
        one.Completions[0].SetResult(1);
        two.Completions[1].SetResult(2);
        (await single.Guard()).Should().Be(1);
        (await noStagger.Guard()).Should().Be(2);
    }

    [Fact]
    public async Task FirstSuccessful_AllFailWithStagger_ReleasesTheTimer()
    {
        var time = new TimerCountingTimeProvider();
        var probe = new OperationProbe<int>(2);
        Task<int> race = Async.FirstSuccessful(probe.Operations, TimeSpan.FromSeconds(1), time);
        probe.Completions[0].SetException(new FormatException());
        await WaitUntil(() => probe.StartOrder.Count == 2);
        probe.Completions[1].SetException(new FormatException());
        await FluentActions.Awaiting(() => race.Guard()).Should().ThrowAsync<AggregateException>();
        time.LiveTimers.Should().Be(0, "the stagger timer is disposed whoever ends the race");
    }

    [Fact]
    public async Task FirstSuccessful_ZeroStagger_StartsAllAtOnceWithoutATimer()
    {
        // staggered_race(delay=0) starts the operations one after another at once and then only waits: no timer is needed,
        // let alone one re-armed at zero delay for as long as the race lasts.
        var time = new TimerCountingTimeProvider();
        var probe = new OperationProbe<int>(3);
        Task<int> race = Async.FirstSuccessful(probe.Operations, TimeSpan.Zero, time, CancellationToken.None);

        probe.StartOrder.Should().Equal(0, 1, 2);
        time.CreatedTimers.Should().Be(0);
        probe.Completions[1].SetResult(5);
        (await race.Guard()).Should().Be(5);
        time.CreatedTimers.Should().Be(0);
    }

    [Fact]
    public async Task FirstSuccessful_Stagger_AfterTheLastStartTheTimerIsNotArmedAgain()
    {
        var time = new TimerCountingTimeProvider();
        var probe = new OperationProbe<int>(2);
        Task<int> race = Async.FirstSuccessful(probe.Operations, TimeSpan.FromSeconds(1), time, CancellationToken.None);
        probe.StartOrder.Should().Equal(0);

        time.Advance(TimeSpan.FromSeconds(1));
        probe.StartOrder.Should().Equal(0, 1);
        time.ActiveTimers.Should().Be(0, "nothing is left to start, so nothing is left to stagger");

        probe.Completions[0].SetResult(3);
        (await race.Guard()).Should().Be(3);
        time.LiveTimers.Should().Be(0);
    }

    /// <summary>A FakeTimeProvider that keeps every timer's callback, so a test can run one late, as a timer thread may.</summary>
    private sealed class CallbackRecordingTimeProvider : Microsoft.Extensions.Time.Testing.FakeTimeProvider
    {
        public List<Action> Callbacks { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Callbacks.Add(() => callback(state));
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
