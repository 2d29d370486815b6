using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;
using static AsyncCombinators.Tests.Infrastructure.TestUtil;

namespace AsyncCombinators.Tests;

/// <summary>
/// Once a call has completed, it leaves nothing on the caller's long-lived token and no timer running: the caller's
/// token source does not keep the call's state alive, and the clock has no active timer left.
/// </summary>
public class ReleaseTests
{
    public static TheoryData<string> Calls() => new()
    {
        "Gather", "Gather non-generic", "GatherOutcomes", "GatherOutcomes non-generic",
        "Wait FirstCompleted", "Wait FirstException", "Wait AllCompleted",
        "Wait FirstCompleted timeout", "Wait FirstException timeout", "Wait AllCompleted timeout",
        "WaitFor cold", "WaitFor cold void", "Gather ops", "GatherOutcomes ops", "Gather ops 2", "Gather ops 5",
        "FirstSuccessful", "FirstSuccessful stagger", "AsCompleted", "AsCompleted timeout", "AsCompleted ops", "TaskGroup",
        "AsCompleted enumerator token", "AsCompleted timeout enumerator token", "AsCompleted zero timeout",
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void EveryCall_Completed_LeavesNothingOnTheCallersTokenOrClock(string call)
    {
        using var cts = new CancellationTokenSource();
        var time = new TimerCountingTimeProvider();
        WeakReference reference = WithoutSynchronizationContext(() => Run(call, time, cts.Token));
        AssertCollectable(() => reference, $"{call} must release its registration on the caller's token once it has completed");
        time.LiveTimers.Should().Be(0, $"{call} must dispose every timer it created once it has completed");
        cts.IsCancellationRequested.Should().BeFalse();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Run(string call, FakeTimeProvider time, CancellationToken token)
    {
        // Completed inline (no RunContinuationsAsynchronously), on a thread without a synchronization context.
        var a = new TaskCompletionSource<int>();
        var b = new TaskCompletionSource<int>();
        TimeSpan hour = TimeSpan.FromHours(1);
        Func<CancellationToken, Task<int>> opA = _ => a.Task;
        Func<CancellationToken, Task<int>> opB = _ => b.Task;
        object result = call switch
        {
            "Gather" => Async.Gather(new[] { a.Task, b.Task }, token),
            "Gather non-generic" => Async.Gather(new Task[] { a.Task, b.Task }, token),
            "GatherOutcomes" => Async.GatherOutcomes(new[] { a.Task, b.Task }, token),
            "GatherOutcomes non-generic" => Async.GatherOutcomes(new Task[] { a.Task, b.Task }, token),
            "Wait FirstCompleted" => Async.Wait(new[] { a.Task, b.Task }, ReturnWhen.FirstCompleted, token),
            "Wait FirstException" => Async.Wait(new[] { a.Task, b.Task }, ReturnWhen.FirstException, token),
            "Wait AllCompleted" => Async.Wait(new[] { a.Task, b.Task }, ReturnWhen.AllCompleted, token),
            "Wait FirstCompleted timeout" => Async.Wait(new[] { a.Task, b.Task }, ReturnWhen.FirstCompleted, hour, time, token),
            "Wait FirstException timeout" => Async.Wait(new[] { a.Task, b.Task }, ReturnWhen.FirstException, hour, time, token),
            "Wait AllCompleted timeout" => Async.Wait(new[] { a.Task, b.Task }, ReturnWhen.AllCompleted, hour, time, token),
            "WaitFor cold" => Async.WaitFor(opA, hour, time, token),
            "WaitFor cold void" => Async.WaitFor(_ => (Task)a.Task, hour, time, token),
            "Gather ops" => Async.Gather(new[] { opA, opB }, maxConcurrency: 1, token),
            "GatherOutcomes ops" => Async.GatherOutcomes(new[] { opA, opB }, maxConcurrency: 1, token),
            "Gather ops 2" => Async.Gather(opA, opB, token),
            "Gather ops 5" => Async.Gather(opA, opB, opA, opB, opA, token),
            "FirstSuccessful" => Async.FirstSuccessful(new[] { opA, opB }, null, time, token),
            "FirstSuccessful stagger" => Async.FirstSuccessful(new[] { opA, opB }, hour, time, token),
            "AsCompleted" => Async.AsCompleted(new[] { a.Task, b.Task }, null, time, token).GetAsyncEnumerator(CancellationToken.None),
            "AsCompleted timeout" => Async.AsCompleted(new[] { a.Task, b.Task }, hour, time, token).GetAsyncEnumerator(CancellationToken.None),
            "AsCompleted ops" => Async.AsCompleted(new[] { opA, opB }, maxConcurrency: 1, token).GetAsyncEnumerator(CancellationToken.None),
            "TaskGroup" => new TaskGroup(token),
            "AsCompleted enumerator token" => Async.AsCompleted(new[] { a.Task, b.Task }).GetAsyncEnumerator(token),
            "AsCompleted timeout enumerator token" => Async.AsCompleted(new[] { a.Task, b.Task }, hour, time, CancellationToken.None).GetAsyncEnumerator(token),
            "AsCompleted zero timeout" => Async.AsCompleted(new[] { a.Task, b.Task }, TimeSpan.Zero, time, token).GetAsyncEnumerator(CancellationToken.None),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };

        Task done;
        if (result is TaskGroup group)
        {
            _ = group.Run(opA);
            _ = group.Run(opB);
            done = group.DisposeAsync().AsTask();
        }
        else if (result is IAsyncEnumerator<Task<int>> tasks)
        {
            done = call == "AsCompleted zero timeout" ? DrainUntilTimeout(tasks) : Drain(tasks);
        }
        else if (result is IAsyncEnumerator<(int, Task<int>)> operations)
        {
            done = Drain(operations);
        }
        else
        {
            done = (Task)result;
        }

        a.SetResult(1);
        b.SetResult(2);
        done.Wait(HangTimeout, CancellationToken.None).Should().BeTrue($"{call} must have completed");
        done.IsCompletedSuccessfully.Should().BeTrue($"{call} ended {done.Status}");
        return new WeakReference(result);
    }

    private static async Task DrainUntilTimeout<T>(IAsyncEnumerator<T> enumerator)
    {
        await using (enumerator.ConfigureAwait(false))
        {
            await FluentActions.Awaiting(async () => await enumerator.MoveNextAsync().ConfigureAwait(false)).Should().ThrowAsync<TimeoutException>().ConfigureAwait(false);
        }
    }

    private static async Task Drain<T>(IAsyncEnumerator<T> enumerator)
    {
        await using (enumerator.ConfigureAwait(false))
        {
            int count = 0;
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                count++;
            }

            count.Should().Be(2);
        }
    }
}
