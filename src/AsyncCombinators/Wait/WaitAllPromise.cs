using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The promise behind Wait(AllCompleted) when nothing can end the wait early (no timeout, no cancellation). It ends only
/// when every input has completed, so nothing of it stays attached to an input afterwards, and it never reads, and so
/// never observes, the inputs' exceptions: Wait leaves that to its caller. It waits in one of two ways, whichever is
/// cheaper for the number of pending inputs (see <see cref="WaitAllPromise.ContinueWhenAllThreshold"/>):
/// <list type="bullet">
/// <item><see cref="Start"/>: one shared delegate attached to each pending input and an <see cref="Interlocked"/>
/// countdown. The fewest objects: no node per input, no combined task, no continuation on one.</item>
/// <item><see cref="ForContinueWhenAll"/>: the countdown of
/// <see cref="TaskFactory.ContinueWhenAll{TResult}(Task[], Func{Task[], TResult}, CancellationToken, TaskContinuationOptions, TaskScheduler)"/>,
/// which attaches itself to each pending input through the BCL's internal completion interface, as
/// <see cref="Task.WhenAll(Task[])"/> does, so no delegate runs per completion; unlike WhenAll, it does not observe the
/// inputs' exceptions. It copies the inputs at the call, and that copy becomes Done. Its continuation runs synchronously
/// and completes this promise. (ContinueWhenAll's own continuation task cannot be returned: it cannot take
/// <see cref="TaskContinuationOptions.RunContinuationsAsynchronously"/>, so the caller's code after the await would run
/// inside the SetResult of whoever completed the last input.) Three objects more than the other way, and faster from
/// <see cref="WaitAllPromise.ContinueWhenAllThreshold"/> pending inputs on.</item>
/// </list>
/// </summary>
/// <typeparam name="TTask">The input task type.</typeparam>
internal sealed class WaitAllPromise<TTask> : TaskCompletionSource<WaitResult<TTask>>
    where TTask : Task
{
    private readonly TTask[]? _tasks;
    private int _remaining;

    private WaitAllPromise(TTask[]? tasks)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _tasks = tasks;
    }

    /// <summary>The result when every input has completed: all of them, in input order, in Done; nothing pending.</summary>
    public static WaitResult<TTask> AllDone(TTask[] owned) =>
        new(new ReadOnlySegment<TTask>(owned, 0, owned.Length), ReadOnlySegment<TTask>.Empty);

    /// <summary>Starts waiting on <paramref name="tasks"/>, which the promise owns from now on and returns as Done.</summary>
    public static Task<WaitResult<TTask>> Start(TTask[] tasks)
    {
        var promise = new WaitAllPromise<TTask>(tasks) { _remaining = PendingCount.Bias };
        int registered = PendingCount.AttachToPending(tasks, promise.OnCompleted);

        // Stryker disable once all : race only: every registered input completed before the count was settled (Wait returns at once when all had completed at the call).
        if (PendingCount.Settle(ref promise._remaining, registered))
        {
            promise.Finish(tasks);
        }

        return promise.Task;
    }

    /// <summary>Makes a promise for ContinueWhenAll, and the continuation that completes it with ContinueWhenAll's copy of the inputs.</summary>
    public static Func<TTask[], bool> ForContinueWhenAll(out Task<WaitResult<TTask>> task)
    {
        var promise = new WaitAllPromise<TTask>(tasks: null);
        task = promise.Task;
        return promise.Finish;
    }

    private void OnCompleted()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Finish(_tasks!);
        }
    }

    private bool Finish(TTask[] done) => TrySetResult(AllDone(done));
}

/// <summary>Wait(AllCompleted) through ContinueWhenAll over <see cref="Task"/> inputs (see <see cref="WaitAllPromise{TTask}"/>).</summary>
internal static class WaitAllPromise
{
    /// <summary>
    /// The number of pending inputs from which Wait(AllCompleted) waits through ContinueWhenAll. Below it the shared
    /// delegate is as fast or faster (BenchmarkDotNet: 1.29x against 1.41x of Task.WhenAll at 32 pending inputs, 1.18x
    /// against 1.19x at 64) and 208 bytes smaller; above it ContinueWhenAll is faster (0.93x against 1.41x at 100,
    /// 1.11-1.19x against 1.27-1.33x at 1000; see benchmarks/RESULTS.md).
    /// </summary>
    public const int ContinueWhenAllThreshold = 64;

    /// <summary>The starter for <see cref="Task"/> inputs; WaitCore calls it with the distinct inputs, which ContinueWhenAll copies.</summary>
    public static readonly Func<Task[], Task<WaitResult<Task>>> StartThroughContinueWhenAll = static tasks =>
    {
        Func<Task[], bool> finish = WaitAllPromise<Task>.ForContinueWhenAll(out Task<WaitResult<Task>> task);
        _ = Task.Factory.ContinueWhenAll(tasks, finish, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    };
}

/// <summary>Wait(AllCompleted) through ContinueWhenAll over <see cref="Task{TResult}"/> inputs (see <see cref="WaitAllPromise{TTask}"/>).</summary>
/// <typeparam name="T">The inputs' result type.</typeparam>
internal static class WaitAllPromiseOf<T>
{
    /// <summary>The starter for <see cref="Task{TResult}"/> inputs; WaitCore calls it with the distinct inputs, which ContinueWhenAll copies.</summary>
    public static readonly Func<Task<T>[], Task<WaitResult<Task<T>>>> StartThroughContinueWhenAll = static tasks =>
    {
        Func<Task<T>[], bool> finish = WaitAllPromise<Task<T>>.ForContinueWhenAll(out Task<WaitResult<Task<T>>> task);
        _ = Task.Factory.ContinueWhenAll(tasks, finish, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    };
}
