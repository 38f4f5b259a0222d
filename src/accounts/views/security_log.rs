//! `/dashboard/security`: the organization's security log for its admins. The filter is a plain
//! GET form and the pages are links, so it all works without JavaScript.

use crate::accounts::api::load_security_log;
use crate::accounts::model::SecurityLogView;
use crate::ui::head::Title;
use crate::ui::layout::AppFrame;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SecurityLogRoute() -> impl IntoView {
    let (event, person, older) = use_query_map().with_untracked(|q| (q.get("event"), q.get("person"), q.get("older_than")));
    let log = Resource::new(move || (event.clone(), person.clone(), older.clone()), |(e, p, o)| load_security_log(e, p, o));
    let header = view! { <a class="back-link" href="/dashboard">"← Dashboard"</a> }.into_any();
    view! {
        <Title text="Security log · Flashpage"/>
        <AppFrame current="/dashboard/security" header>
            <div class="panel-head"><h1>"Security log"</h1></div>
            <p class="field-hint">"Logins, password and address changes, and exports of personal data by the people of your organization, kept for 180 days. Times are UTC."</p>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(v) => view! { <Log v/> }.into_any(),
                        Err(error) => view! { <crate::ui::status::LoadRefused error testid="security-log-error"/> }.into_any(),
                    }
                })}
            </Suspense>
        </AppFrame>
    }
}

#[component]
fn Log(v: SecurityLogView) -> impl IntoView {
    let next = v.older.clone().map(|older| {
        let mut params = vec![("older_than", older)];
        if let Some(e) = &v.event {
            params.push(("event", e.clone()));
        }
        if let Some(p) = &v.person {
            params.push(("person", p.clone()));
        }
        // Every value is URL-safe as it is: a number, an event's snake_case code, a UUID.
        let query: Vec<String> = params.iter().map(|(k, val)| format!("{k}={val}")).collect();
        format!("/dashboard/security?{}", query.join("&"))
    });
    let empty = v.entries.is_empty();
    view! {
        <form method="get" action="/dashboard/security" class="filters" role="search">
            <label class="field-inline">"Kind "
                <select name="event">
                    <option value="">"Everything"</option>
                    {v.events.iter().map(|(code, label)| view! { <option value=code.clone() selected=v.event.as_deref() == Some(code.as_str())>{label.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field-inline">"Person "
                <select name="person">
                    <option value="">"Everyone"</option>
                    {v.people.iter().map(|(id, name)| view! { <option value=id.clone() selected=v.person.as_deref() == Some(id.as_str())>{name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button class="button button--small" type="submit">"Filter"</button>
        </form>
        {if empty {
            view! { <p class="panel panel--empty" data-testid="security-log-empty">"Nothing logged that matches."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="pages-table" data-testid="security-log">
                        <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"Detail"</th><th scope="col">"Address"</th></tr></thead>
                        <tbody>
                            {v.entries.into_iter().map(|e| view! {
                                <tr>
                                    <td>{e.at}</td>
                                    <td>{e.who}</td>
                                    <td>{e.event}</td>
                                    <td>{e.subject.unwrap_or_default()}</td>
                                    <td>{e.ip.unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {next.map(|href| view! { <p><a class="button button--ghost" href=href>"Older entries"</a></p> })}
    }
}
