using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators;

namespace PackageConsumer;

/// <summary>Exercises every combinator through the package and fails (exit 1) if any result is wrong.</summary>
internal static class Program
{
    private static int s_failures;

    private static async Task<int> Main()
    {
        Task<int>[] values = { Delayed(3, 30), Delayed(1, 10), Delayed(2, 20) };

        Check("Gather", (await Async.Gather(values)).SequenceEqual(new[] { 3, 1, 2 }));
        await Async.Gather(new Task[] { Task.Delay(5), Task.CompletedTask });
        var (name, count) = await Async.Gather(Task.FromResult("ada"), Delayed(7, 5));
        Check("Gather tuple", name == "ada" && count == 7);

        Outcome<int>[] outcomes = await Async.GatherOutcomes(new[] { Delayed(1, 5), Task.FromException<int>(new FormatException()) });
        Check("GatherOutcomes", outcomes[0].Value == 1 && outcomes[1].IsFaulted);
        Outcome[] untyped = await Async.GatherOutcomes(new Task[] { Task.CompletedTask });
        Check("GatherOutcomes untyped", untyped[0].IsSuccess);

        var order = new List<int>();
        await foreach (Task<int> t in Async.AsCompleted(values, TimeSpan.FromSeconds(10)))
        {
            order.Add(await t);
        }

        Check("AsCompleted", order.Count == 3 && order.ToHashSet().SetEquals(new[] { 1, 2, 3 }));

        var never = new TaskCompletionSource<int>();
        var (done, pending) = await Async.Wait(new[] { never.Task, Delayed(5, 5) }, ReturnWhen.FirstCompleted, TimeSpan.FromSeconds(10));
        Check("Wait", done.Count == 1 && pending.Count == 1);
        var timedOut = await Async.Wait(new[] { never.Task }, ReturnWhen.AllCompleted, TimeSpan.FromMilliseconds(20));
        Check("Wait timeout", timedOut.Pending.Count == 1);

        Check("WaitFor cold", await Async.WaitFor(ct => Delayed(9, 5), TimeSpan.FromSeconds(10)) == 9);
        try
        {
            await Async.WaitFor(ct => Task.Delay(Timeout.Infinite, ct), TimeSpan.FromMilliseconds(20));
            Check("WaitFor timeout", false);
        }
        catch (TimeoutException)
        {
            Check("WaitFor timeout", true);
        }

        Check("WaitFor hot", await Async.WaitFor(Delayed(4, 5), TimeSpan.FromSeconds(10)) == 4);

        int running = 0;
        int peak = 0;
        var ops = Enumerable.Range(0, 50).Select(i => (Func<CancellationToken, Task<int>>)(async ct =>
        {
            int now = Interlocked.Increment(ref running);
            lock (order)
            {
                peak = Math.Max(peak, now);
            }

            await Task.Delay(2, ct);
            Interlocked.Decrement(ref running);
            return i;
        })).ToArray();
        int[] bounded = await Async.Gather(ops, maxConcurrency: 4);
        Check("Gather operations", bounded.SequenceEqual(Enumerable.Range(0, 50)) && peak <= 4);
        Check("GatherOutcomes operations", (await Async.GatherOutcomes(ops, maxConcurrency: 8)).All(o => o.IsSuccess));
        int streamed = 0;
        await foreach (var (index, task) in Async.AsCompleted(ops, maxConcurrency: 4))
        {
            streamed += (await task) == index ? 1 : 0;
        }

        Check("AsCompleted operations", streamed == 50);
        var (a, b) = await Async.Gather(ct => Delayed(1, 5), ct => Task.FromResult("b"));
        Check("Gather operations tuple", a == 1 && b == "b");

        int first = await Async.FirstSuccessful(
            new Func<CancellationToken, Task<int>>[] { ct => Task.FromException<int>(new FormatException()), async ct => { await Task.Delay(5, ct); return 8; } },
            staggerDelay: TimeSpan.FromMilliseconds(50));
        Check("FirstSuccessful", first == 8);

        int sum = await TaskGroup.RunAsync(async group =>
        {
            Task<int> x = group.Run(ct => Delayed(2, 5));
            Task<int> y = group.Run(ct => Delayed(3, 5));
            return await x + await y;
        });
        Check("TaskGroup", sum == 5);

        Console.WriteLine(s_failures == 0 ? "package consumer: all checks passed" : $"package consumer: {s_failures} checks failed");
        return s_failures == 0 ? 0 : 1;
    }

    private static async Task<int> Delayed(int value, int ms)
    {
        await Task.Delay(ms);
        return value;
    }

    private static void Check(string what, bool ok)
    {
        if (!ok)
        {
            s_failures++;
            Console.WriteLine($"FAILED: {what}");
        }
    }
}
