#!/usr/bin/env bash
# Rebuilds examples/northwind, the sample pipeline, with crm's own commands:
# every lead is added, moved, logged and closed through the CLI, backdated
# with --at, so the files are exactly what a team using crm would have.
# Lead ids carry a random part, so a rebuild gives new ids.
#
#   bash examples/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/crm
go build -o "$bin" .
crm() { "$bin" -C examples/northwind "$@"; }

export TZ=UTC CRM_NOW=2026-11-20T18:00:00Z
now=$(date -u -d "$CRM_NOW" +%s)
rm -rf examples/northwind
"$bin" init examples/northwind --template b2b --name "Northwind Analytics" --currency EUR >/dev/null
cat >>examples/northwind/pipeline.yaml <<'YAML'
targets:
  quarter: 150000
YAML
sed -i '/^# targets:/d; /^#   quarter:/d' examples/northwind/pipeline.yaml

# Clients whose contracts run for a term (crm renewals): a won deal of
# these companies is won with --renews-every.
declare -A terms=([Hooli]=3m [Weyland Mining]=6m [Paper Street Soap]=6m [Acme Corp]=12m [Monarch Airlines]=12m [Oscorp Labs]=12m)

steps=("Prospecting" "Qualification" "Needs assessment" "Proposal" "Negotiation" "Closing")
kinds=(call email meeting demo call email)
n=0
while IFS='|' read -r company value owner source tag product day reach outcome reason contact; do
  [[ -z "$company" || "$company" == \#* ]] && continue
  n=$((n + 1))
  t=$(date -u -d "2026-05-04 + $day days 09:30" +%s)
  at() { date -u -d "@$1" '+%Y-%m-%d %H:%M'; }
  args=(--company "$company" --value "$value" --owner "$owner" --source "$source" --contact "$contact" --set "product=$product" --at "$(at "$t")" --by "$owner")
  [[ -n "$tag" ]] && args+=(--tag "$tag")
  id=$(crm lead add "$company – $product" "${args[@]}")
  for ((s = 1; s <= reach; s++)); do
    next=$((t + (3 + (day + s * 5) % 9) * 86400))
    ((next > now - 86400)) && break
    t=$next
    crm lead log "$id" "${kinds[$((s - 1))]} with ${contact%% <*}" --type "${kinds[$((s - 1))]}" --at "$(at "$t")" --by "$owner" >/dev/null
    t=$((t + 3600))
    crm lead move "$id" "${steps[$s]}" --at "$(at "$t")" --by "$owner" >/dev/null
  done
  end=$((t + (2 + day % 6) * 86400))
  if ((end > now)); then outcome=open; fi
  case "$outcome" in
  won)
    term=()
    [[ -n "${terms[$company]:-}" ]] && term=(--renews-every "${terms[$company]}")
    crm lead won "$id" "${term[@]}" --at "$(at "$end")" --by "$owner" >/dev/null
    ;;
  lost) crm lead lost "$id" --reason "$reason" --at "$(at "$end")" --by "$owner" >/dev/null ;;
  cancelled) crm lead cancel "$id" --reason "$reason" --at "$(at "$end")" --by "$owner" >/dev/null ;;
  standby) crm lead standby "$id" --until "$(date -u -d "@$((now + (20 + day % 30) * 86400))" +%F)" --at "$(at "$end")" --by "$owner" >/dev/null ;;
  open) crm lead remind "$id" "$(date -u -d "@$((now + (day % 10 - 3) * 86400))" +%F)" "follow up with ${contact%% <*}" >/dev/null ;;
  esac
done <<'DATA'
# company|value|owner|source|tag|product|created (days after 2026-05-04)|steps to climb|outcome|reason|contact
Acme Corp|36000|alice|outbound||Enterprise|82|3|won||Jane Doe <jane@acmecorp.example>
Globex|4800|alice|referral|expansion|Starter|107|4|won||Kofi Mensah <kofi@globex.example>
Initech|2400|chloe|outbound|expansion|Starter|147|2|open||Yuki Tanaka <yuki@initech.example>
Umbrella Health|60000|alice|partner|inbound|Enterprise|46|0|lost|Timing|Eva Novak <eva@umbrellahealth.example>
Stark Logistics|18000|chloe|outbound|smb|Team|174|2|open||Eva Novak <eva@starklogistics.example>
Wayne Foods|9600|bob|outbound|enterprise|Team|126|3|won||Ana Costa <ana@waynefoods.example>
Wonka Confectionery|60000|alice|partner|smb|Enterprise|171|3|open||Raj Patel <raj@wonka.example>
Tyrell Robotics|72000|alice|website|smb|Enterprise|170|2|open||Ana Costa <ana@tyrellrobotics.example>
Cyberdyne Systems|2400|alice|outbound|enterprise|Starter|156|4|open||Marta Silva <marta@cyberdyne.example>
Soylent Farms|14400|bob|referral||Team|140|5|lost|No budget|Marta Silva <marta@soylentfarms.example>
Hooli|3600|alice|referral|expansion|Starter|38|3|won||Eva Novak <eva@hooli.example>
Pied Piper|72000|chloe|partner|enterprise|Enterprise|32|5|cancelled|merged with another company|Liam Walsh <liam@piedpiper.example>
Vandelay Industries|2400|bob|outbound||Starter|26|3|won||Raj Patel <raj@vandelay.example>
Dunder Mifflin|9600|chloe|website|smb|Team|38|5|lost|Competitor|Yuki Tanaka <yuki@dundermifflin.example>
Bluth Homes|3600|bob|website|smb|Starter|93|3|won||Sara Cohen <sara@bluthhomes.example>
Prestige Worldwide|4800|chloe|website||Starter|41|3|open||Kofi Mensah <kofi@prestige.example>
Gekko Capital|3600|chloe|event|inbound|Starter|66|3|lost|Competitor|Liam Walsh <liam@gekkocapital.example>
Oscorp Labs|60000|bob|event|smb|Enterprise|132|3|won||Ana Costa <ana@oscorplabs.example>
Massive Dynamic|3600|alice|website|smb|Starter|20|1|lost|Timing|Ana Costa <ana@massivedynamic.example>
Aperture Science|12000|chloe|website|enterprise|Team|21|5|lost|No decision|Lea Martin <lea@aperture.example>
Black Mesa Energy|48000|chloe|website|expansion|Enterprise|102|0|lost|No budget|Marta Silva <marta@blackmesa.example>
Nakatomi Trading|4800|chloe|event|inbound|Starter|121|0|open||Lea Martin <lea@nakatomi.example>
Virtucon|14400|alice|website||Team|49|4|won||Marta Silva <marta@virtucon.example>
Monarch Airlines|48000|bob|partner||Enterprise|90|3|won||Eva Novak <eva@monarchair.example>
Ollivander Retail|36000|alice|outbound|expansion|Enterprise|44|2|lost|Timing|Raj Patel <raj@ollivander.example>
Sterling Cooper|2400|alice|event|expansion|Starter|63|4|open||Eva Novak <eva@sterlingcooper.example>
Krusty Foods|18000|alice|event|enterprise|Team|131|3|standby||Tom Becker <tom@krustyfoods.example>
Duff Beverages|9600|alice|outbound|smb|Team|106|3|won||Marta Silva <marta@duff.example>
Cogswell Cogs|4800|alice|outbound|enterprise|Starter|64|5|won||Lea Martin <lea@cogswell.example>
Spacely Sprockets|3600|bob|outbound||Starter|103|4|won||Ana Costa <ana@spacely.example>
Gringotts Finance|9600|chloe|partner|smb|Team|84|5|cancelled|project shelved|Yuki Tanaka <yuki@gringotts.example>
Planet Express|14400|bob|referral|smb|Team|46|1|open||Lea Martin <lea@planetexpress.example>
Los Pollos Hermanos|14400|alice|referral||Team|71|3|cancelled|budget frozen for 2027|Tom Becker <tom@lospollos.example>
Paper Street Soap|18000|bob|website|smb|Team|31|3|won||Marta Silva <marta@paperstreet.example>
Blue Sun Corp|60000|alice|event|smb|Enterprise|46|2|lost|No decision|Jane Doe <jane@bluesun.example>
Weyland Mining|48000|alice|partner|expansion|Enterprise|3|5|won||Ana Costa <ana@weyland.example>
Rekall Travel|3600|bob|referral||Starter|129|3|won||Jane Doe <jane@rekall.example>
Zorg Industries|2400|bob|referral|inbound|Starter|65|3|lost|Price|Marta Silva <marta@zorg.example>
Ghostbusters Inc|14400|alice|event||Team|114|0|standby||Marta Silva <marta@ghostbusters.example>
Good Burger|12000|alice|outbound|enterprise|Team|97|3|won||Marta Silva <marta@goodburger.example>
Buy n Large|12000|bob|website|expansion|Team|10|3|lost|Competitor|Lea Martin <lea@buynlarge.example>
Fabrikam|3600|chloe|outbound|expansion|Starter|83|4|lost|Timing|Liam Walsh <liam@fabrikam.example>
Contoso Retail|4800|chloe|partner|enterprise|Starter|134|3|won||Liam Walsh <liam@contoso.example>
Northwind Traders|72000|chloe|website|expansion|Enterprise|12|1|lost|Price|Omar Haddad <omar@northwind.example>
Tailspin Toys|60000|chloe|website|inbound|Enterprise|168|4|lost|Competitor|Tom Becker <tom@tailspin.example>
Litware|18000|bob|outbound|inbound|Team|166|4|open||Eva Novak <eva@litware.example>
DATA
# After the sale: the renewals that are due are opened (each as of the day
# its term came due); Hooli's is won at a higher price, and Hooli and Acme
# buy more (upsells); a follow-up reminder on a won client.
lead_of() { # the first new deal (no kind) of the company $1
  for f in $(grep -l "^company: $1\$" examples/northwind/leads/*.yaml); do
    grep -q '^kind:' "$f" || { basename "$f" .yaml; return; }
  done
}
crm renewals open >/dev/null
hooli=$(lead_of Hooli)
crm lead won "$hooli-renewal-$(grep '^term_end:' "examples/northwind/leads/$hooli.yaml" | cut -d' ' -f2)" --value 4200 --at "2026-11-12 10:00" --by alice >/dev/null
u=$(crm lead upsell "$hooli" --value 1800 --at "2026-10-20 11:00" --by alice)
crm lead won "$u" --at "2026-11-05 15:00" --by alice >/dev/null
acme=$(lead_of "Acme Corp")
crm lead upsell "$acme" --value 12000 --close-by 2027-01-31 --at "2026-11-16 09:00" --by alice >/dev/null
crm lead remind "$(lead_of "Monarch Airlines")" 2026-11-23 "quarterly check-in with Eva" >/dev/null
n=$(ls examples/northwind/leads | wc -l)
echo "examples/northwind: $n leads"
