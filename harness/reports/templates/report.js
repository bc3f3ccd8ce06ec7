(function(){
  'use strict';
  // The expectations table: search, filters and an "A fails, B passes" view (kept in the
  // address's fragment), sorting, and a detail row per expectation. Every text is set with
  // textContent or cloned from the page (already escaped): no HTML is built from values.
  const byId=id=>document.getElementById(id);
  const table=byId('expectations');
  if(!table){document.body.dataset.ready='yes';return;}
  const body=table.tBodies[0];
  const headers=Array.from(table.tHead.rows[0].cells,th=>th.textContent);
  const keyOf=name=>name.toLowerCase().replace(/[^a-z0-9]/g,'');
  const columns=headers.map(keyOf);
  const ui={q:byId('filter'),failures:byId('failures'),backend:byId('backend'),
    fails:byId('fails'),passes:byId('passes'),details:byId('details')};
  const count=byId('shown');
  const infos=Array.from(body.rows,(row,n)=>{
    const cells=Array.from(row.cells,c=>c.textContent);
    const link=row.cells[2]&&row.cells[2].querySelector('a');
    return {n,row,cells,lower:cells.map(c=>c.toLowerCase()),backend:cells[0],
      key:cells[1]+'\u0000'+cells[2]+'\u0000'+cells[3],pass:row.classList.contains('pass'),
      entry:link?byId(link.getAttribute('href').slice(1)):null,text:null,detail:null};
  });
  const byRow=new Map(infos.map(i=>[i.row,i]));
  const byKey=new Map();
  infos.forEach(i=>{if(!byKey.has(i.key))byKey.set(i.key,new Map());
    byKey.get(i.key).set(i.backend,i);});
  const textOf=i=>{if(i.text===null)i.text=i.entry?i.entry.textContent.toLowerCase():'';
    return i.text;};

  // -- search: every term must match; column:text, column<number, column>number ------------
  function term(token){
    const m=/^([a-z_/]+)(:|<=|>=|<|>|=)(.+)$/i.exec(token);
    const col=m?columns.indexOf(keyOf(m[1])):-1,named=m&&(col>=0||keyOf(m[1])==='text');
    const value=(named?m[3]:token).replace(/"/g,'').toLowerCase();
    if(named&&col<0)return i=>textOf(i).includes(value);
    if(!named)return i=>i.lower.some(c=>c.includes(value))||textOf(i).includes(value);
    if(m[2]===':')return i=>i.lower[col].includes(value);
    const x=parseFloat(value),op=m[2];
    return i=>{const y=parseFloat(i.cells[col]);if(isNaN(y)||isNaN(x))return false;
      return op==='<'?y<x:op==='>'?y>x:op==='<='?y<=x:op==='>='?y>=x:y===x;};
  }
  const terms=q=>(q.match(/[^\s"]*"[^"]*"?|\S+/g)||[]).map(term);

  // -- the view, and the address that keeps it ----------------------------------------------
  function choose(select,value){select.value=value||'';
    if(select.value!==(value||''))select.value='';}
  function readAddress(){
    const hash=location.hash.slice(1);
    if(!hash.includes('='))return;
    const p=new URLSearchParams(hash);
    ui.q.value=p.get('q')||'';
    ui.failures.checked=p.get('failures')==='1';
    ui.details.checked=p.get('details')==='1';
    choose(ui.backend,p.get('backend'));choose(ui.fails,p.get('fails'));
    choose(ui.passes,p.get('passes'));
  }
  function writeAddress(){
    const p=new URLSearchParams();
    if(ui.q.value)p.set('q',ui.q.value);
    if(ui.failures.checked)p.set('failures','1');
    ['backend','fails','passes'].forEach(k=>{if(ui[k].value)p.set(k,ui[k].value);});
    if(ui.details.checked)p.set('details','1');
    const hash=p.toString();
    try{history.replaceState(null,'',hash?'#'+hash:location.pathname+location.search);}
    catch(e){/* a page opened where the address cannot change */}
  }
  function view(){
    const a=ui.fails.value,b=ui.passes.value,ab=!!(a&&b&&a!==b);
    const backend=ui.backend.value,failures=ui.failures.checked,tests=terms(ui.q.value);
    ui.backend.disabled=ab;
    return i=>{
      if(failures&&i.pass)return false;
      if(ab){if(i.backend!==a||i.pass)return false;
        const other=byKey.get(i.key).get(b);if(!other||!other.pass)return false;}
      else if(backend&&i.backend!==backend)return false;
      return tests.every(t=>t(i));
    };
  }
  function update(){
    const shows=view();let n=0;
    infos.forEach(i=>{const hit=shows(i);i.row.hidden=!hit;n+=hit;
      if(hit&&ui.details.checked)open(i);
      if(i.detail)i.detail.hidden=!hit||!i.open;});
    const a=ui.fails.value,b=ui.passes.value;
    count.textContent=n+' of '+infos.length+' expectations shown'+
      (a&&b&&a!==b?' ('+a+' fails, '+b+' passes)':'');
    table.dataset.shown=n;
    writeAddress();
  }

  // -- the detail row: the test, the numbers, the expectation in every backend ----------------
  function splits(s,sep){const out=[];let k=s.indexOf(sep);
    while(k>=0){out.push([s.slice(0,k),s.slice(k+sep.length)]);k=s.indexOf(sep,k+1);}
    return out;}
  function roles(text,labels){
    const has=l=>labels.includes(l);
    for(const [left,right] of splits(text,' > ')){
      for(const [x,y] of splits(left,': '))
        if(has(x)&&has(y)&&has(right))return [x,y,x,right];
      for(const [x,y] of splits(left,' ~ '))for(const [z,w] of splits(right,' ~ '))
        if(has(x)&&has(y)&&has(z)&&has(w))return [x,y,z,w];
    }
    return null;
  }
  function el(tag,text,cls){const e=document.createElement(tag);
    if(text!==undefined)e.textContent=text;if(cls)e.className=cls;return e;}
  function numbers(i,r){
    const c=i.cells,p=el('p',undefined,'numbers');
    const sim=(x,y)=>r?'sim('+x+', '+y+')':'';
    p.append(el('b',r?sim(r[0],r[1]):'sim closer'),' = '+(c[4]||'-')+', ',
      el('b',r?sim(r[2],r[3]):'sim farther'),' = '+(c[5]||'-')+': margin '+(c[6]||'-')+
      (c[7]?' ('+c[7]+' sd)':'')+'; it needed '+c[8]+'. ',el('b',c[9]));
    return p;
  }
  function everyBackend(i){
    const p=el('p','This expectation in every backend: ','backends');
    Array.from(byKey.get(i.key).values()).forEach((o,k)=>{
      if(k)p.append('; ');
      p.append(el('span',o.backend+' '+o.cells[9].split(' (')[0]+' (margin '+
        (o.cells[6]||'-')+')',o.pass?'pass':'fail'));});
    return p;
  }
  function detail(i){
    const tr=el('tr',undefined,'detail'),td=tr.insertCell();
    td.colSpan=headers.length;
    let labels=[],box=null;
    if(i.entry){box=el('div',undefined,'test');
      i.entry.childNodes.forEach(node=>box.append(node.cloneNode(true)));
      labels=Array.from(box.querySelectorAll('li[data-label]'),li=>li.dataset.label);}
    const r=roles(i.cells[3],labels);
    td.append(numbers(i,r));
    if(box){
      if(r){const names=r[0]===r[2]?['anchor','closer','anchor','farther']:
        ['anchor','closer','farther anchor','farther'];
        box.querySelectorAll('li[data-label]').forEach(li=>{
          const mine=names.filter((_,k)=>r[k]===li.dataset.label);
          if(mine.length)li.append(' ',el('span',Array.from(new Set(mine)).join(', '),
            'role'));});}
      td.append(box);
    }else td.append(el('p','results.json does not describe this test.','note'));
    td.append(everyBackend(i));
    return tr;
  }
  function open(i){
    if(!i.detail){i.detail=detail(i);i.row.after(i.detail);}
    i.open=true;i.detail.hidden=i.row.hidden;
  }
  function toggle(i){if(i.open){i.open=false;i.detail.hidden=true;}else open(i);}
  body.addEventListener('click',e=>{
    const tr=e.target.closest('tr');const i=tr&&byRow.get(tr);
    if(!i||window.getSelection().toString())return;
    if(e.target.closest('a'))e.preventDefault();
    toggle(i);
  });

  // -- sorting ---------------------------------------------------------------------------
  Array.from(table.tHead.rows[0].cells).forEach((th,col)=>{
    th.addEventListener('click',()=>{
      const up=th.dataset.order!=='asc';th.dataset.order=up?'asc':'desc';
      const key=i=>{const x=parseFloat(i.cells[col]);return isNaN(x)?i.lower[col]:x;};
      const keys=new Map(infos.map(i=>[i,key(i)]));
      infos.sort((p,q)=>{const x=keys.get(p),y=keys.get(q);
        if(typeof x!==typeof y)return (typeof x==='number'?-1:1)*(up?1:-1);
        return (x<y?-1:x>y?1:p.n-q.n)*(up?1:-1);});
      const frag=document.createDocumentFragment();
      infos.forEach(i=>{frag.append(i.row);if(i.detail)frag.append(i.detail);});
      body.append(frag);
    });
  });

  let timer=0;
  ui.q.addEventListener('input',()=>{clearTimeout(timer);timer=setTimeout(update,120);});
  [ui.failures,ui.backend,ui.fails,ui.passes].forEach(c=>c.addEventListener('change',update));
  ui.details.addEventListener('change',()=>{
    if(!ui.details.checked)infos.forEach(i=>{if(i.open)toggle(i);});update();});
  window.addEventListener('hashchange',()=>{readAddress();update();});
  byId('view').hidden=false;
  readAddress();
  update();
  document.body.dataset.ready='yes';
})();
