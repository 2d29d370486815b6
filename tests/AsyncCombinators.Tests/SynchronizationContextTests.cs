using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

/// <summary>
/// The library never resumes on the caller's synchronization context (every await is ConfigureAwait(false)): a UI or
/// legacy ASP.NET caller that blocks on a result must not deadlock, and no callback may be queued to its thread.
/// </summary>
public class SynchronizationContextTests
{
    public static TheoryData<string> Calls() => new()
    {
        "Gather", "Gather one pending", "Gather non-generic", "GatherOutcomes", "GatherOutcomes non-generic",
        "Gather 2", "Gather 3", "Gather 4", "Gather 5",
        "Gather ops", "GatherOutcomes ops", "Gather ops 2", "Gather ops 3", "Gather ops 4", "Gather ops 5",
        "Wait FirstCompleted", "Wait FirstException", "Wait AllCompleted", "Wait FirstCompleted timeout",
        "Wait FirstException timeout", "Wait AllCompleted timeout",
        "WaitFor hot", "WaitFor cold", "WaitFor cold void", "WaitFor cold token",
        "FirstSuccessful", "TaskGroup.RunAsync pending body", "TaskGroup.RunAsync completed body",
        "TaskGroup.RunAsync<T> pending body", "TaskGroup.RunAsync<T> completed body", "TaskGroup.DisposeAsync",
        "AsCompleted", "AsCompleted timeout", "AsCompleted ops", "AsCompleted ops left early",
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task EveryCall_UnderTheCallersSynchronizationContext_PostsNothingToIt(string call)
    {
        var context = new RecordingContext();
        var a = Source<int>();
        var b = Source<string>();
        TimeSpan timeout = TimeSpan.FromSeconds(30);
        using var cts = new CancellationTokenSource();

        // Both inputs are pending when the call is made on the context; they complete afterwards, off the context.
        Task result = Under(context, () => call switch
        {
            "Gather" => Async.Gather(new[] { a.Task, a.Task.ContinueWith(t => t.Result + 1, TaskScheduler.Default) }),
            "Gather one pending" => Async.Gather(new[] { a.Task }),
            "Gather non-generic" => Async.Gather(new Task[] { a.Task, b.Task }),
            "GatherOutcomes" => Async.GatherOutcomes(new[] { a.Task }),
            "GatherOutcomes non-generic" => Async.GatherOutcomes(new Task[] { a.Task, b.Task }),
            "Gather 2" => Async.Gather(a.Task, b.Task),
            "Gather 3" => Async.Gather(a.Task, b.Task, a.Task),
            "Gather 4" => Async.Gather(a.Task, b.Task, a.Task, b.Task),
            "Gather 5" => Async.Gather(a.Task, b.Task, a.Task, b.Task, a.Task),
            "Gather ops" => Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => a.Task, _ => a.Task }, maxConcurrency: 1),
            "GatherOutcomes ops" => Async.GatherOutcomes(new Func<CancellationToken, Task<int>>[] { _ => a.Task, _ => a.Task }, maxConcurrency: 1),
            "Gather ops 2" => Async.Gather(_ => a.Task, _ => b.Task),
            "Gather ops 3" => Async.Gather(_ => a.Task, _ => b.Task, _ => a.Task),
            "Gather ops 4" => Async.Gather(_ => a.Task, _ => b.Task, _ => a.Task, _ => b.Task),
            "Gather ops 5" => Async.Gather(_ => a.Task, _ => b.Task, _ => a.Task, _ => b.Task, _ => a.Task),
            "Wait FirstCompleted" => Async.Wait(new Task[] { a.Task, b.Task }, ReturnWhen.FirstCompleted),
            "Wait FirstException" => Async.Wait(new Task[] { a.Task, b.Task }, ReturnWhen.FirstException),
            "Wait AllCompleted" => Async.Wait(new Task[] { a.Task, b.Task }, ReturnWhen.AllCompleted),
            "Wait FirstCompleted timeout" => Async.Wait(new Task[] { a.Task, b.Task }, ReturnWhen.FirstCompleted, timeout),
            "Wait FirstException timeout" => Async.Wait(new Task[] { a.Task, b.Task }, ReturnWhen.FirstException, timeout),
            "Wait AllCompleted timeout" => Async.Wait(new Task[] { a.Task, b.Task }, ReturnWhen.AllCompleted, timeout),
            "WaitFor hot" => Async.WaitFor(a.Task, timeout),
            "WaitFor cold" => Async.WaitFor(_ => a.Task, timeout),
            "WaitFor cold void" => Async.WaitFor(_ => (Task)b.Task, timeout),
            "WaitFor cold token" => Async.WaitFor(_ => a.Task, timeout, cts.Token),
            "FirstSuccessful" => Async.FirstSuccessful(new Func<CancellationToken, Task<int>>[] { _ => a.Task, _ => a.Task }, timeout),
            "TaskGroup.RunAsync pending body" => TaskGroup.RunAsync(g => { _ = g.Run(_ => a.Task); return (Task)b.Task; }),
            "TaskGroup.RunAsync completed body" => TaskGroup.RunAsync(g => { _ = g.Run(_ => a.Task); return Task.CompletedTask; }),
            "TaskGroup.RunAsync<T> pending body" => TaskGroup.RunAsync(g => { _ = g.Run(_ => a.Task); return b.Task; }),
            "TaskGroup.RunAsync<T> completed body" => TaskGroup.RunAsync(g => { _ = g.Run(_ => a.Task); return Task.FromResult(1); }),
            "TaskGroup.DisposeAsync" => DisposeGroup(a.Task),
            "AsCompleted" => Drain(context, Async.AsCompleted(new[] { a.Task, a.Task.ContinueWith(t => t.Result, TaskScheduler.Default) })),
            "AsCompleted timeout" => Drain(context, Async.AsCompleted(new[] { a.Task }, timeout)),
            "AsCompleted ops" => Drain(context, Async.AsCompleted(new Func<CancellationToken, Task<int>>[] { _ => a.Task, _ => a.Task }, maxConcurrency: 1)),
            "AsCompleted ops left early" => LeaveEarly(context, Async.AsCompleted(new Func<CancellationToken, Task<int>>[] { _ => Task.FromResult(0), _ => a.Task })),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        });

        a.SetResult(1);
        b.SetResult("b");
        await result.Guard();
        // Operations start where the caller runs: a start that follows a completion is posted to the caller's context
        // (maxConcurrency: 1 makes the second start one). Nothing else is ever posted.
        int starts = call is "Gather ops" or "GatherOutcomes ops" or "AsCompleted ops" ? 1 : 0;
        context.Posts.Should().Be(starts, $"{call} must post only operation starts to the caller's synchronization context");
    }

    private static Task DisposeGroup(Task<int> child)
    {
        var group = new TaskGroup();
        _ = group.Run(_ => child);
        return group.DisposeAsync().AsTask();
    }

    /// <summary>Drains <paramref name="source"/>, making every MoveNextAsync / DisposeAsync call on <paramref name="context"/>.</summary>
    private static async Task Drain<T>(RecordingContext context, IAsyncEnumerable<T> source)
    {
        IAsyncEnumerator<T> enumerator = Under(context, () => source.GetAsyncEnumerator());
        while (await Under(context, () => enumerator.MoveNextAsync()).ConfigureAwait(false))
        {
        }

        await Under(context, () => enumerator.DisposeAsync()).ConfigureAwait(false);
    }

    /// <summary>Takes one item, then disposes the enumerator (on <paramref name="context"/>) while an operation still runs.</summary>
    private static async Task LeaveEarly<T>(RecordingContext context, IAsyncEnumerable<T> source)
    {
        IAsyncEnumerator<T> enumerator = Under(context, () => source.GetAsyncEnumerator());
        (await Under(context, () => enumerator.MoveNextAsync()).ConfigureAwait(false)).Should().BeTrue();
        await Under(context, () => enumerator.DisposeAsync()).ConfigureAwait(false);
    }

    /// <summary>Counts what is posted or sent to it, and runs it on the thread pool so nothing hangs.</summary>
    private sealed class RecordingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            d(state);
        }
    }
}
