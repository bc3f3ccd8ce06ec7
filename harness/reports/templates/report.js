(function(){
  const table=document.getElementById('expectations');
  const rows=Array.from(table.tBodies[0].rows);
  const filter=document.getElementById('filter');
  const count=document.getElementById('shown');
  function update(){
    const q=filter.value.toLowerCase();let n=0;
    rows.forEach(r=>{const hit=r.textContent.toLowerCase().includes(q);
      r.style.display=hit?'':'none';n+=hit;});
    count.textContent=n+' of '+rows.length+' expectations shown';
  }
  filter.addEventListener('input',update);
  Array.from(table.tHead.rows[0].cells).forEach((th,col)=>{
    th.addEventListener('click',()=>{
      const up=th.dataset.order!=='asc';th.dataset.order=up?'asc':'desc';
      const key=r=>{const t=r.cells[col].textContent;const x=parseFloat(t);
        return isNaN(x)?t:x;};
      rows.sort((a,b)=>{const x=key(a),y=key(b);
        return (x<y?-1:x>y?1:0)*(up?1:-1);});
      rows.forEach(r=>table.tBodies[0].appendChild(r));
    });
  });
  update();
  document.body.dataset.ready='yes';
})();
