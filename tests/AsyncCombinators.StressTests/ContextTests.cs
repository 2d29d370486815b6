using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.StressTests;

/// <summary>Synchronization contexts, execution context flow, and exceptions the library must observe.</summary>
public class ContextTests
{
    public static TheoryData<string> BlockingCalls() => new()
    {
        "Gather", "GatherOutcomes", "Wait", "WaitFor cold", "WaitFor hot", "Gather operations", "FirstSuccessful", "TaskGroup", "AsCompleted",
    };

    [Theory]
    [MemberData(nameof(BlockingCalls))]
    public async Task CallerBlocksOnResult_UnderSingleThreadedContext_NoDeadlock(string which)
    {
        using var context = new SingleThreadSynchronizationContext();
        var result = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Post(_ =>
        {
            try
            {
                // Inputs complete on the thread pool while the context's only thread blocks on the combinator. Cold operations
                // all start at the call here: a start that has to wait for a completion is posted to the caller's context,
                // so blocking that context would then deadlock, as awaiting the operation there would.
                Task<int> Later(int v) => Task.Run(async () => { await Task.Delay(5).ConfigureAwait(false); return v; });
                Task blocking = which switch
                {
                    "Gather" => Async.Gather(new[] { Later(1), Later(2) }),
                    "GatherOutcomes" => Async.GatherOutcomes(new[] { Later(1) }),
                    "Wait" => Async.Wait(new[] { Later(1) }, ReturnWhen.FirstCompleted, TimeSpan.FromSeconds(30)),
                    "WaitFor cold" => Async.WaitFor(_ => Later(1), TimeSpan.FromSeconds(30)),
                    "WaitFor hot" => Async.WaitFor(Later(1), TimeSpan.FromSeconds(30)),
                    "Gather operations" => Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => Later(1), _ => Later(2), _ => Later(3) }),
                    "FirstSuccessful" => Async.FirstSuccessful(new Func<CancellationToken, Task<int>>[] { _ => Later(1), _ => Later(2) }),
                    "TaskGroup" => TaskGroup.RunAsync(group => { _ = group.Run(_ => Later(1)); return Task.CompletedTask; }),
                    _ => Task.Run(() => Async.AsCompleted(new[] { Later(1), Later(2) }).Drain()),
                };
                result.SetResult(blocking.Wait(TimeSpan.FromSeconds(20)));
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        }, null);

        (await result.Task.Guard()).Should().BeTrue($"{which} must complete while the caller blocks its context");
    }

    [Fact]
    public async Task AsyncLocal_FlowsIntoEveryOperation_AlsoThoseStartedLater()
    {
        AmbientProbe.Ambient = "caller";
        var probe = new AmbientProbe();
        Func<CancellationToken, Task<int>> Op(int i) => probe.Operation(i);

        // maxConcurrency 1: every operation after the first starts from the previous one's completion.
        await Async.Gather(Enumerable.Range(0, 20).Select(Op), maxConcurrency: 1);
        await Async.GatherOutcomes(Enumerable.Range(0, 20).Select(Op), maxConcurrency: 2);
        await Async.AsCompleted(Enumerable.Range(0, 20).Select(Op), maxConcurrency: 1).Drain();

        var time = new FakeTimeProvider();
        var stuck = new TaskCompletionSource<int>();
        Task<int> race = Async.FirstSuccessful(new Func<CancellationToken, Task<int>>[] { ct => { probe.Record(); ct.Register(() => stuck.TrySetCanceled()); return stuck.Task; }, Op(1) }, TimeSpan.FromSeconds(1), time);
        Task advance = Task.Run(() => time.Advance(TimeSpan.FromSeconds(1))); // the stagger timer fires on another thread
        await advance;
        (await race.Guard()).Should().Be(1);

        await Async.WaitFor(Op(1), TimeSpan.FromSeconds(5));
        await TaskGroup.RunAsync(group => group.Run(Op(1)));

        probe.Seen.Should().HaveCountGreaterThan(60).And.OnlyContain(v => v == "caller");
        AmbientProbe.Ambient = null;
    }

    [Fact]
    public async Task InputExceptions_ObservedByTheLibrary_NeverReachUnobservedTaskException()
    {
        using var monitor = new UnobservedExceptionMonitor();
        await Scenarios(monitor);
        monitor.CollectAndGetSeen().Should().BeEmpty();

        [MethodImpl(MethodImplOptions.NoInlining)]
        static async Task Scenarios(UnobservedExceptionMonitor monitor)
        {
            Func<CancellationToken, Task<int>> Failing = async _ => { await Task.Yield(); throw monitor.NewException(); };
            var slowOnes = new System.Collections.Concurrent.ConcurrentQueue<Task<int>>();
            Func<CancellationToken, Task<int>> Slow = _ =>
            {
                Task<int> slow = FailAfterAWhile(monitor);
                slowOnes.Enqueue(slow);
                return slow;
            };

            // The returned tasks are the caller's to observe; the inputs' exceptions are the library's.
            await Settle(Async.Gather(new[] { Failing, Slow, Failing }));
            await Settle(Async.Gather(new[] { Failing(default), Slow(default) }));
            await Async.GatherOutcomes(new[] { Failing, Slow });
            await Settle(Async.FirstSuccessful(new[] { Failing, Slow }));
            await Settle(TaskGroup.RunAsync(g => { _ = g.Run(Failing); _ = g.Run(Slow); return Task.CompletedTask; }));
            await Settle(Async.WaitFor(Slow, TimeSpan.FromSeconds(5)));
            await foreach (var (_, task) in Async.AsCompleted(new[] { Failing, Slow }))
            {
                _ = task.Exception; // AsCompleted hands tasks back: observing them is the caller's job
            }

            // The fail-fast calls returned before their slow inputs failed: wait for every one to fail before looking.
            foreach (Task<int> slow in slowOnes)
            {
                await slow.WhenSettled();
            }
        }

        static async Task<int> FailAfterAWhile(UnobservedExceptionMonitor monitor)
        {
            await Task.Delay(20, CancellationToken.None);
            throw monitor.NewException();
        }

        static async Task Settle(Task task)
        {
            await task.WhenSettled();
            _ = task.Exception;
        }
    }
}
