import { Card } from '../ui/components';
import { RoutePreview } from './project-preview';
import { fromDraft, RoutingEditor, toDraft } from './project-routing-editor';
import { SaveFooter, useDraft, useSaving, type TabProps } from './project-shapes';

/** The project's routing (editors save it with PUT), and a preview of where a request would go. */
export function RoutingTab({ project, save, mayEdit, models }: TabProps) {
  const [draft, setDraft] = useDraft(project, (p) => toDraft(p.routing));
  const saving = useSaving();
  // Without models:read the judge can still be a pool model, or stay what it is.
  const judgeModels = models ? models.map((m) => m.id) : project.models;
  const ownRouting = Object.entries(project.aliases ?? {}).filter(([, alias]) => alias.routing);

  async function submit(event: Event) {
    event.preventDefault();
    await saving.run(() => save({ routing: fromDraft(draft) }));
  }

  return (
    <>
      <Card title="Routing">
        <form class="form" onSubmit={submit}>
          {ownRouting.length > 0 && (
            <p class="hint">
              Aliases with routing of their own (edited in Models): {ownRouting.map(([name]) => name).join(', ')}. This routing applies to auto and pool models.
            </p>
          )}
          <RoutingEditor draft={draft} onChange={setDraft} readOnly={!mayEdit} judgeModels={judgeModels} poolModels={project.models} />
          <SaveFooter saving={saving} maySave={mayEdit} />
        </form>
      </Card>
      <RoutePreview project={project} mayEdit={mayEdit} />
    </>
  );
}
