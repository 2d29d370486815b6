using System.Diagnostics;
using System.Runtime.CompilerServices;
using AsyncCombinators.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AsyncCombinators.StressTests;

/// <summary>
/// Calls each combinator a large number of times (bounded by count and by time) over inputs that include one
/// never-completing, long-lived task, and checks that the managed heap after a full GC stays flat — as it does for
/// Task.WhenAny in the same run. A continuation, registration or timer left behind per call would grow it by
/// roughly 100 B x calls.
/// </summary>
public class LeakTests
{
    private const int MaxCalls = 200_000;
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(8);
    private static readonly long s_maxGrowthBytes = 4L * 1024 * 1024;

    private readonly ITestOutputHelper _output;

    public LeakTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Scenarios() => new()
    {
        "Task.WhenAny (reference)",
        "Wait FirstCompleted",
        "Wait FirstCompleted, canceled",
        "Wait AllCompleted, canceled",
        "Wait FirstException, canceled",
        "WaitFor hot, canceled",
        "WaitFor cold, completes first",
        "AsCompleted, canceled",
        "Gather operations",
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task ManyCalls_OverANeverCompletingTask_HeapStaysFlat(string scenario)
    {
        var never = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously).Task;
        Func<Task> call = Scenario(scenario, never);

        for (int i = 0; i < 1000; i++)
        {
            await call();
        }

        long before = Heap();
        var clock = Stopwatch.StartNew();
        int calls = 0;
        while (calls < MaxCalls && clock.Elapsed < s_budget)
        {
            await call();
            calls++;
        }

        long after = Heap();
        long growth = after - before;
        _output.WriteLine($"{scenario}: {calls:N0} calls, heap growth {growth / 1024.0:N1} KiB ({(double)growth / calls:N1} B/call)");
        calls.Should().BeGreaterThan(10_000, "the check needs many calls to be meaningful");
        growth.Should().BeLessThan(s_maxGrowthBytes, $"{scenario} must not leave anything attached to a task that never completes");
        GC.KeepAlive(never);
    }

    private static Func<Task> Scenario(string name, Task<int> never)
    {
        Task<int>[] Inputs(Task<int> other) => new[] { never, other };
        return name switch
        {
            "Task.WhenAny (reference)" => async () =>
            {
                var tcs = new TaskCompletionSource<int>();
                Task<Task<int>> any = Task.WhenAny(Inputs(tcs.Task));
                tcs.SetResult(1);
                await any;
            },
            "Wait FirstCompleted" => async () =>
            {
                var tcs = new TaskCompletionSource<int>();
                var wait = Async.Wait(Inputs(tcs.Task), ReturnWhen.FirstCompleted);
                tcs.SetResult(1);
                (await wait).Pending.Should().ContainSingle();
            },
            "Wait FirstCompleted, canceled" => () => CanceledWait(ReturnWhen.FirstCompleted, never),
            "Wait AllCompleted, canceled" => () => CanceledWait(ReturnWhen.AllCompleted, never),
            "Wait FirstException, canceled" => () => CanceledWait(ReturnWhen.FirstException, never),
            "WaitFor hot, canceled" => async () =>
            {
                using var cts = new CancellationTokenSource();
                Task<int> wait = Async.WaitFor(never, Timeout.InfiniteTimeSpan, cts.Token);
                cts.Cancel();
                await wait.ContinueWith(_ => { }, TaskScheduler.Default);
            },
            "WaitFor cold, completes first" => async () =>
            {
                var tcs = new TaskCompletionSource<int>();
                Task<int> wait = Async.WaitFor(_ => tcs.Task, TimeSpan.FromHours(1));
                tcs.SetResult(1);
                await wait;
            },
            "AsCompleted, canceled" => async () =>
            {
                using var cts = new CancellationTokenSource();
                await using var e = Async.AsCompleted(new[] { never }, TimeSpan.FromHours(1), cts.Token).GetAsyncEnumerator();
                ValueTask<bool> next = e.MoveNextAsync();
                cts.Cancel();
                try
                {
                    await next;
                }
                catch (OperationCanceledException)
                {
                }
            },
            "Gather operations" => async () =>
            {
                await Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => Task.FromResult(1), async ct => { await Task.Yield(); return 2; } }, maxConcurrency: 1);
            },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    private static async Task CanceledWait(ReturnWhen returnWhen, Task<int> never)
    {
        using var cts = new CancellationTokenSource();
        var wait = Async.Wait(new[] { never }, returnWhen, TimeSpan.FromHours(1), cts.Token);
        cts.Cancel();
        try
        {
            await wait;
        }
        catch (OperationCanceledException)
        {
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    [Fact]
    public Task Map_MillionItemsFromEndlessSource_HeapDoesNotGrowWithItems() =>
        // Off the test framework's synchronization context: there every start would be posted to it, which measures the
        // context rather than Map.
        Task.Run(MapMillionItemsAsync);

    private async Task MapMillionItemsAsync()
    {
        // Back-pressure bounds what Map holds by maxConcurrency, whatever the number of items: anything kept per item (a
        // result, a task, a queue or dictionary entry) would add at least 8 B x 900,000 = 7 MB.
        var source = new EndlessSource();
        await using IAsyncEnumerator<int> items = Async.Map(source, async (i, ct) =>
        {
            await Task.Yield();
            return i;
        }, maxConcurrency: 8, ordered: true).GetAsyncEnumerator();

        await Take(items, 100_000);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        await Take(items, 900_000);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        _output.WriteLine($"heap after 100,000 items: {before:N0} B; after 1,000,000: {after:N0} B");

        (after - before).Should().BeLessThan(1024 * 1024);
        source.Taken.Should().BeInRange(1_000_000, 1_000_008, "the source is read no further ahead than the bound");

        static async Task Take(IAsyncEnumerator<int> items, int count)
        {
            for (int k = 0; k < count; k++)
            {
                (await items.MoveNextAsync()).Should().BeTrue();
            }
        }
    }
}
