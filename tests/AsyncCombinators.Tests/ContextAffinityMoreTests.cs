using System.Collections.Concurrent;
using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.Tests;

public class ContextAffinityMoreTests
{
    /// <summary>Completes off any context: on a pool thread, after the caller has moved on.</summary>
    private static Task OffContext() => Task.Run(() => Thread.Sleep(1));

    [Fact]
    public async Task FirstSuccessful_WinnerWhileTheNextStartIsPostedToTheCallersContext_EndsWithoutTheContext()
    {
        // The stagger posts the next start to the caller's context, which the caller keeps busy (blocked until the race
        // ends); the winner then stops the race, and nothing is left to start there.
        var context = new QueuedSynchronizationContext();
        var clock = new FakeTimeProvider();
        var first = TestUtil.Source<int>();
        int started = 0;
        Func<CancellationToken, Task<int>>[] operations =
        {
            _ => { started++; return first.Task; },
            _ => { started++; return Task.FromResult(2); },
        };

        Task<int> race = context.Run(() => Async.FirstSuccessful(operations, TimeSpan.FromSeconds(1), clock, CancellationToken.None));
        clock.Advance(TimeSpan.FromSeconds(1));
        context.Pending.Should().Be(1, "the second start waits for the caller's context");

        first.SetResult(1);

        (await race.Guard()).Should().Be(1);
        started.Should().Be(1);
    }

    [Fact]
    public async Task Gather_FailureWhileAnAsyncSourceWaitsForItsNextItem_EndsWithoutTheCallersContext()
    {
        // The caller blocks its context until the run ends: a source cancelled by the stop has nothing left to start there.
        var context = new QueuedSynchronizationContext();
        var first = TestUtil.Source<int>();
        int started = 0;

        Task<int[]> run = context.Run(() => Async.Gather(NextItemNeverComes(), (i, ct) =>
        {
            started++;
            return first.Task;
        }, maxConcurrency: 2));
        started.Should().Be(1, "the source waits for its second item");

        first.SetException(new InvalidOperationException("first failed"));

        (await FluentActions.Awaiting(() => run.Guard()).Should().ThrowAsync<InvalidOperationException>()).WithMessage("first failed");
        started.Should().Be(1);

        static async IAsyncEnumerable<int> NextItemNeverComes([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            yield return 0;
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            yield return 1;
        }
    }

    /// <summary>
    /// A TaskGroup child starts inside <c>group.Run</c>, on the thread that calls it: on the exclusive scheduler when the
    /// calling code runs there (the body, a child, or either after an await that resumed there), on the pool when the
    /// calling code has left it (after <c>ConfigureAwait(false)</c>). The group captures no context of its own.
    /// </summary>
    [Fact]
    public async Task TaskGroupRun_FromChildrenAndBodyOnExclusiveScheduler_StartsWhereRunIsCalled()
    {
        var pair = new ConcurrentExclusiveSchedulerPair();
        var starts = new ConcurrentDictionary<string, TaskScheduler>();
        Func<CancellationToken, Task> Child(string name) => _ =>
        {
            starts[name] = TaskScheduler.Current;
            return Task.CompletedTask;
        };

        await Task.Factory.StartNew(() => TaskGroup.RunAsync(async group =>
        {
            _ = group.Run(Child("body"));
            _ = group.Run(async ct =>
            {
                starts["child"] = TaskScheduler.Current;
                _ = group.Run(Child("grandchild before await"));
                await OffContext();
                _ = group.Run(Child("grandchild after await"));
                await OffContext().ConfigureAwait(false);
                _ = group.Run(Child("grandchild off scheduler"));
            });
            await OffContext();
            _ = group.Run(Child("body after await"));
            await OffContext().ConfigureAwait(false);
            _ = group.Run(Child("body off scheduler"));
        }), CancellationToken.None, TaskCreationOptions.None, pair.ExclusiveScheduler).Unwrap().Guard();

        starts.Should().HaveCount(7);
        foreach (string onScheduler in new[] { "body", "child", "grandchild before await", "grandchild after await", "body after await" })
        {
            starts[onScheduler].Should().BeSameAs(pair.ExclusiveScheduler, $"'{onScheduler}' was started by code running on the exclusive scheduler");
        }

        starts["grandchild off scheduler"].Should().BeSameAs(TaskScheduler.Default, "Run starts the child inline, where it is called");
        starts["body off scheduler"].Should().BeSameAs(TaskScheduler.Default, "Run starts the child inline, where it is called");
    }

    [Fact]
    public async Task TaskGroupRun_FromChildOnSingleThreadSynchronizationContext_StartsWhereRunIsCalled()
    {
        using var context = new SingleThreadSynchronizationContext();
        int contextThread = await context.Run(() => Task.FromResult(Environment.CurrentManagedThreadId)).Guard();
        var starts = new ConcurrentDictionary<string, (int Thread, SynchronizationContext? Context)>();
        Func<CancellationToken, Task> Child(string name) => _ =>
        {
            starts[name] = (Environment.CurrentManagedThreadId, SynchronizationContext.Current);
            return Task.CompletedTask;
        };

        await context.Run(async () =>
        {
            await TaskGroup.RunAsync(async group =>
            {
                _ = group.Run(async ct =>
                {
                    await OffContext();
                    _ = group.Run(Child("grandchild after await"));
                    await OffContext().ConfigureAwait(false);
                    _ = group.Run(Child("grandchild off context"));
                });
                await OffContext();
                _ = group.Run(Child("body after await"));
            });
            return 0;
        }).Guard();

        starts["grandchild after await"].Should().Be((contextThread, context));
        starts["body after await"].Should().Be((contextThread, context));
        starts["grandchild off context"].Context.Should().BeNull("Run starts the child inline, where it is called");
        starts["grandchild off context"].Thread.Should().NotBe(contextThread);
    }

    /// <summary>
    /// The stagger timer fires on the thread that advances the clock (here: the test's, off the scheduler); the starts it
    /// releases are still made on the exclusive scheduler captured at the call.
    /// </summary>
    [Fact]
    public async Task FirstSuccessful_StaggerTimerStartsOnExclusiveScheduler_StartOnTheScheduler()
    {
        var pair = new ConcurrentExclusiveSchedulerPair();
        var clock = new TimerCountingTimeProvider();
        var probe = new OperationProbe<int>(4);
        var schedulers = new ConcurrentQueue<TaskScheduler>();
        var ops = probe.Operations.Select(op => (Func<CancellationToken, Task<int>>)(ct =>
        {
            schedulers.Enqueue(TaskScheduler.Current);
            return op(ct);
        })).ToArray();

        Task<int> run = Task.Factory.StartNew(
            () => Async.FirstSuccessful(ops, TimeSpan.FromSeconds(1), clock, CancellationToken.None),
            CancellationToken.None,
            TaskCreationOptions.None,
            pair.ExclusiveScheduler).Unwrap();

        for (int started = 1; started < 4; started++)
        {
            int expected = started;
            await Polling.Until(() => schedulers.Count == expected && clock.ActiveTimers == 1);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        await Polling.Until(() => schedulers.Count == 4);
        probe.Completions[3].SetResult(3);

        (await run.Guard()).Should().Be(3);
        probe.StartOrder.Should().Equal(0, 1, 2, 3);
        schedulers.Should().HaveCount(4).And.OnlyContain(s => s == pair.ExclusiveScheduler);
    }
}
