using System.Collections;
using System.Reflection;

namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>Looks at what is attached to a pending task, for tests that nothing stays attached after a call has ended.</summary>
public static class TaskContinuations
{
    private static readonly FieldInfo s_continuationObject =
        typeof(Task).GetField("m_continuationObject", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("Task.m_continuationObject not found on this runtime.");

    /// <summary>
    /// Whether a pending task still has a continuation attached. A removed continuation leaves an empty slot (null) in the
    /// task's list, which does not count.
    /// </summary>
    public static bool HasContinuation(Task task)
    {
        if (task.IsCompleted)
        {
            throw new ArgumentException("Only a pending task keeps its continuations.", nameof(task));
        }

        object? continuation = s_continuationObject.GetValue(task);
        return continuation is IList list ? list.Cast<object?>().Any(item => item is not null) : continuation is not null;
    }
}
